/**
 * Types stoke records only: they stand for a service a local engine has none of (identity, load balancing,
 * key management, VPN…), yet templates use them beside servers and networks, often only to be complete. Each
 * type keeps Heat's schema as data (./type.ts builds the type from it), so its properties are checked as Heat
 * checks them and `resource type show` documents it; one handler serves them all.
 */
import type { ResourceType } from '../plugin';
import { BARBICAN_TYPES } from './barbican';
import { INFRASTRUCTURE_TYPES } from './infrastructure';
import { KEYSTONE_TYPES } from './keystone';
import { LOAD_BALANCER_TYPES } from './load-balancers';
import { OBJECT_STORAGE_TYPES } from './object-storage';
import { RETIRED_TYPES } from './retired';

export const RECORDED_TYPES: readonly ResourceType[] = [
  ...KEYSTONE_TYPES, ...LOAD_BALANCER_TYPES, ...BARBICAN_TYPES, ...INFRASTRUCTURE_TYPES, ...OBJECT_STORAGE_TYPES, ...RETIRED_TYPES,
];
