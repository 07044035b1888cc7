/** Keystone's types, recorded only: stoke has no identity service (Heat's schemas, Keystone v3). */
import { recorded } from './type';

export const keystoneRegion = recorded({
  name: 'OS::Keystone::Region',
  description: 'A Keystone region: recorded only, stoke has no identity service.',
  supportStatus: { status: 'SUPPORTED', version: '6.0.0', message: 'Supported versions: keystone v3' },
  properties: {
    id: { type: 'string', description: 'The user-defined region ID and should unique to the OpenStack deployment. While creating the region, heat will url encode this ID.' },
    parent_region: { type: 'string', updateAllowed: true, constraints: [{ customConstraint: 'keystone.region' }], description: 'If the region is hierarchically a child of another region, set this parameter to the ID of the parent region.' },
    description: { type: 'string', updateAllowed: true, description: 'Description of keystone region.' },
    enabled: { type: 'boolean', default: true, updateAllowed: true, description: 'This region is enabled or disabled.' },
  },
  attributes: {},
});

export const keystoneDomain = recorded({
  name: 'OS::Keystone::Domain',
  description: 'A Keystone domain: recorded only, stoke has no identity service.',
  supportStatus: { status: 'SUPPORTED', version: '8.0.0', message: 'Supported versions: keystone v3' },
  properties: {
    name: { type: 'string', updateAllowed: true, description: 'The name of the domain.' },
    description: { type: 'string', updateAllowed: true, description: 'Description of keystone domain.' },
    enabled: { type: 'boolean', default: true, updateAllowed: true, description: 'This domain is enabled or disabled.' },
  },
  attributes: {},
});

export const keystoneGroup = recorded({
  name: 'OS::Keystone::Group',
  description: 'A Keystone group and its role assignments: recorded only, stoke has no identity service.',
  supportStatus: { status: 'SUPPORTED', version: '2015.1', message: 'Supported versions: keystone v3' },
  properties: {
    name: { type: 'string', updateAllowed: true, description: 'Name of keystone group.' },
    domain: { type: 'string', default: 'default', updateAllowed: true, constraints: [{ customConstraint: 'keystone.domain' }], description: 'Name or id of keystone domain.' },
    description: { type: 'string', default: '', updateAllowed: true, description: 'Description of keystone group.' },
    roles: {
      type: 'list', updateAllowed: true, description: 'List of role assignments.',
      items: {
        type: 'map', description: 'Map between role with either project or domain.',
        keys: {
          role: { type: 'string', required: true, constraints: [{ customConstraint: 'keystone.role' }], description: 'Keystone role.' },
          project: { type: 'string', constraints: [{ customConstraint: 'keystone.project' }], description: 'Keystone project.' },
          domain: { type: 'string', constraints: [{ customConstraint: 'keystone.domain' }], description: 'Keystone domain.' },
        },
      },
    },
  },
  attributes: {},
});

export const keystoneProject = recorded({
  name: 'OS::Keystone::Project',
  description: 'A Keystone project: recorded only, stoke has no identity service.',
  supportStatus: { status: 'SUPPORTED', version: '2015.1', message: 'Supported versions: keystone v3' },
  properties: {
    name: { type: 'string', updateAllowed: true, description: 'Name of keystone project.' },
    domain: { type: 'string', default: 'default', updateAllowed: true, constraints: [{ customConstraint: 'keystone.domain' }], description: 'Name or id of keystone domain.' },
    description: { type: 'string', default: '', updateAllowed: true, description: 'Description of keystone project.' },
    enabled: { type: 'boolean', default: true, updateAllowed: true, description: 'This project is enabled or disabled.' },
    parent: { type: 'string', since: '6.0.0', constraints: [{ customConstraint: 'keystone.project' }], description: 'The name or ID of parent of this keystone project in hierarchy.' },
    tags: { type: 'list', default: [], updateAllowed: true, since: '10.0.0', description: 'A list of tags for labeling and sorting projects.' },
  },
  attributes: {
    name: { description: 'Project name.', type: 'string' },
    parent_id: { description: 'Parent project id.', type: 'string' },
    domain_id: { description: 'Domain id for project.', type: 'string' },
    enabled: { description: 'Flag of enable project.', type: 'boolean' },
    is_domain: { description: 'Indicates whether the project also acts as a domain.', type: 'boolean' },
  },
  values: ({ properties: p, stack, resource }) => ({
    name: p.name ?? `${stack}-${resource}`, parent_id: p.parent ?? null, domain_id: p.domain ?? 'default', is_domain: false,
  }),
});

export const keystoneRole = recorded({
  name: 'OS::Keystone::Role',
  description: 'A Keystone role: recorded only, stoke has no identity service.',
  supportStatus: { status: 'SUPPORTED', version: '2015.1', message: 'Supported versions: keystone v3' },
  properties: {
    name: { type: 'string', updateAllowed: true, description: 'Name of keystone role.' },
    domain: { type: 'string', since: '16.0.0', constraints: [{ customConstraint: 'keystone.domain' }], description: 'Name or id of keystone domain.' },
  },
  attributes: {},
});

export const keystoneService = recorded({
  name: 'OS::Keystone::Service',
  description: 'A Keystone catalog service: recorded only, stoke has no identity service.',
  supportStatus: { status: 'SUPPORTED', version: '5.0.0', message: 'Supported versions: keystone v3' },
  properties: {
    name: { type: 'string', updateAllowed: true, description: 'Name of keystone service.' },
    description: { type: 'string', updateAllowed: true, description: 'Description of keystone service.' },
    type: { type: 'string', required: true, updateAllowed: true, description: 'Type of keystone Service.' },
    enabled: { type: 'boolean', default: true, updateAllowed: true, since: '6.0.0', description: 'This service is enabled or disabled.' },
  },
  attributes: {},
});

export const keystoneEndpoint = recorded({
  name: 'OS::Keystone::Endpoint',
  description: 'A Keystone catalog endpoint: recorded only, stoke has no identity service.',
  supportStatus: { status: 'SUPPORTED', version: '5.0.0', message: 'Supported versions: keystone v3' },
  properties: {
    name: { type: 'string', updateAllowed: true, description: 'Name of keystone endpoint.' },
    region: { type: 'string', updateAllowed: true, constraints: [{ customConstraint: 'keystone.region' }], description: 'Name or Id of keystone region.' },
    service: { type: 'string', required: true, updateAllowed: true, constraints: [{ customConstraint: 'keystone.service' }], description: 'Name or Id of keystone service.' },
    interface: { type: 'string', required: true, updateAllowed: true, allowedValues: ['public', 'internal', 'admin'], description: 'Interface type of keystone service endpoint.' },
    url: { type: 'string', required: true, updateAllowed: true, description: 'URL of keystone service endpoint.' },
    enabled: { type: 'boolean', default: true, updateAllowed: true, since: '6.0.0', description: 'This endpoint is enabled or disabled.' },
  },
  attributes: {},
});

export const keystoneUser = recorded({
  name: 'OS::Keystone::User',
  description: 'A Keystone user and its role assignments: recorded only, stoke has no identity service (the password is kept out of every attribute).',
  supportStatus: { status: 'SUPPORTED', version: '2015.1', message: 'Supported versions: keystone v3' },
  properties: {
    name: { type: 'string', updateAllowed: true, description: 'Name of keystone user.' },
    domain: { type: 'string', default: 'default', updateAllowed: true, constraints: [{ customConstraint: 'keystone.domain' }], description: 'Name or ID of keystone domain.' },
    description: { type: 'string', default: '', updateAllowed: true, description: 'Description of keystone user.' },
    enabled: { type: 'boolean', default: true, updateAllowed: true, description: 'Keystone user is enabled or disabled.' },
    email: { type: 'string', updateAllowed: true, description: 'Email address of keystone user.' },
    password: { type: 'string', updateAllowed: true, description: 'Password of keystone user.' },
    default_project: { type: 'string', updateAllowed: true, constraints: [{ customConstraint: 'keystone.project' }], description: 'Name or ID of default project of keystone user.' },
    groups: {
      type: 'list', updateAllowed: true, description: 'Keystone user groups.',
      items: { type: 'string', constraints: [{ customConstraint: 'keystone.group' }], description: 'Keystone user group.' },
    },
    roles: {
      type: 'list', updateAllowed: true, description: 'List of role assignments.',
      items: {
        type: 'map', description: 'Map between role with either project or domain.',
        keys: {
          role: { type: 'string', required: true, constraints: [{ customConstraint: 'keystone.role' }], description: 'Keystone role.' },
          project: { type: 'string', constraints: [{ customConstraint: 'keystone.project' }], description: 'Keystone project.' },
          domain: { type: 'string', constraints: [{ customConstraint: 'keystone.domain' }], description: 'Keystone domain.' },
        },
      },
    },
  },
  attributes: {
    name: { description: 'User name.', type: 'string' },
    default_project_id: { description: 'Default project id for user.', type: 'string' },
    domain_id: { description: 'Domain id for user.', type: 'string' },
    enabled: { description: 'Flag of enable user.', type: 'boolean' },
    password_expires_at: { description: 'Show user password expiration time.', type: 'string' },
  },
  secrets: ['password'],
  values: ({ properties: p, stack, resource }) => ({
    name: p.name ?? `${stack}-${resource}`, default_project_id: p.default_project ?? null, domain_id: p.domain ?? 'default', password_expires_at: null,
  }),
});

export const KEYSTONE_TYPES = [
  keystoneRegion, keystoneDomain, keystoneGroup, keystoneProject, keystoneRole, keystoneService, keystoneEndpoint, keystoneUser,
];
