import type { ServiceFactory } from '../gateway';
import { createAuthService } from './auth/service';
import { functionsService } from './functions/service';
import { createRealtimeService } from './realtime/service';
import { schedulerService } from './scheduler/service';
import { socialSimService } from './social-sim/service';
import { createStorageService } from './storage/storage-service';

/**
 * The services the local platform mounts behind its gateway. A prefix without a service
 * answers 501 with a JSON body, so a client sees clearly what is not there yet.
 */
export const serviceFactories: ServiceFactory[] = [
  createAuthService,
  createStorageService,
  createRealtimeService,
  functionsService,
  schedulerService,
  // Local only: WeChat/QQ sign-in simulator under /_dev/wechat and /_dev/qq.
  socialSimService,
];
