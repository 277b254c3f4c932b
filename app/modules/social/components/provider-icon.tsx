import { cn } from '~/lib/utils';
import type { SocialProvider } from '../social.schema';

/** The providers' marks, simplified: WeChat's two speech bubbles, QQ's penguin. */
export function ProviderIcon({ provider, className }: { provider: SocialProvider; className?: string }) {
  if (provider === 'wechat') {
    return (
      <svg
        viewBox="0 0 24 24"
        aria-hidden
        className={cn('size-5 text-[#07c160]', className)}
        fill="currentColor"
      >
        <path d="M9 4C4.9 4 1.6 6.8 1.6 10.2c0 1.9 1 3.6 2.7 4.8l-.7 2.2 2.6-1.3c.9.3 1.8.4 2.8.4h.4a5.6 5.6 0 0 1-.2-1.5c0-3.3 3.1-6 7-6h.4C15.9 6 12.8 4 9 4Zm-2.4 3.4a.9.9 0 1 1 0 1.8.9.9 0 0 1 0-1.8Zm4.8 0a.9.9 0 1 1 0 1.8.9.9 0 0 1 0-1.8Z" />
        <path d="M22.4 14.8c0-2.8-2.7-5.1-6.1-5.1s-6.1 2.3-6.1 5.1 2.7 5.1 6.1 5.1c.7 0 1.4-.1 2.1-.3l2 1-.5-1.8c1.5-1 2.5-2.4 2.5-4Zm-8.1-.7a.8.8 0 1 1 0-1.5.8.8 0 0 1 0 1.5Zm4 0a.8.8 0 1 1 0-1.5.8.8 0 0 1 0 1.5Z" />
      </svg>
    );
  }
  return (
    <svg
      viewBox="0 0 24 24"
      aria-hidden
      className={cn('size-5 text-[#12b7f5]', className)}
      fill="currentColor"
    >
      <path d="M12 2c-3.3 0-5.6 2.6-5.6 6v1.3c-.9 1.2-1.9 2.9-1.9 4.4 0 .8.3 1.2.6 1.2s.7-.4 1-1c.2.9.7 1.8 1.3 2.5-1 .4-1.8 1-1.8 1.7 0 1 1.7 1.9 4 1.9 1 0 1.8-.2 2.4-.5.6.3 1.5.5 2.4.5 2.3 0 4-.9 4-1.9 0-.7-.8-1.3-1.8-1.7.7-.7 1.1-1.6 1.3-2.5.3.6.7 1 1 1s.6-.4.6-1.2c0-1.5-1-3.2-1.9-4.4V8c0-3.4-2.3-6-5.6-6Z" />
    </svg>
  );
}
