import { type LoaderFunctionArgs, redirect } from '@remix-run/node';

/** `/auth` itself has no page: go to sign-in, keeping the query (`redirectTo`). */
export function loader({ request }: LoaderFunctionArgs) {
  return redirect(`/auth/sign-in${new URL(request.url).search}`);
}
