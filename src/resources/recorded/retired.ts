/**
 * Types Heat removed and keeps as placeholders that do nothing (its NoneResource), so that old templates still
 * load: stoke keeps them the same way, with Heat's support status and message.
 */
import type { SupportStatus } from '../plugin';
import { retired } from './type';

const LBAAS_V1: SupportStatus = { status: 'HIDDEN', version: '9.0.0', message: 'Use LBaaS V2 instead.' };
const DESIGNATE = (instead: string): SupportStatus => ({ status: 'HIDDEN', version: '10.0.0', message: `This resource has been removed, use ${instead} instead.` });
const MONASCA: SupportStatus = { status: 'HIDDEN', version: '25.0.0', message: 'Monasca project was retired' };

export const RETIRED_TYPES = [
  retired('OS::Neutron::HealthMonitor', 'Neutron LBaaS v1, removed in Heat 9.0.0.', LBAAS_V1),
  retired('OS::Neutron::Pool', 'Neutron LBaaS v1, removed in Heat 9.0.0.', LBAAS_V1),
  retired('OS::Neutron::PoolMember', 'Neutron LBaaS v1, removed in Heat 9.0.0.', LBAAS_V1),
  retired('OS::Neutron::LoadBalancer', 'Neutron LBaaS v1, removed in Heat 9.0.0.', LBAAS_V1),
  retired('OS::Designate::Domain', 'removed in Heat 10.0.0 (use OS::Designate::Zone).', DESIGNATE('OS::Designate::Zone')),
  retired('OS::Designate::Record', 'removed in Heat 10.0.0 (use OS::Designate::RecordSet).', DESIGNATE('OS::Designate::RecordSet')),
  retired('OS::Heat::HARestarter', 'removed in Heat 10.0.0; it never restarted a server, only replaced it when its alarm fired.', {
    status: 'HIDDEN', version: '10.0.0',
    message: 'The HARestarter resource type has been removed. Existing stacks containing HARestarter resources can still be used, but the HARestarter resource will be a placeholder that does nothing.',
  }),
  retired('OS::Monasca::AlarmDefinition', 'Monasca was retired (Heat 25.0.0).', MONASCA),
  retired('OS::Monasca::Notification', 'Monasca was retired (Heat 25.0.0).', MONASCA),
];
