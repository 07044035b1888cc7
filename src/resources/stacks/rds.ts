/**
 * AWS::RDS::DBInstance as Heat makes it: a stack of its own from a built-in template (Heat's
 * AWS_RDS_DBInstance.yaml, whose parameters are the type's properties and whose outputs its attributes).
 * Heat's boots a server that installs MySQL; stoke's runs a MySQL container (the catalog's stand-in where no
 * registry serves the image) with the database and user made from the properties.
 */
import type { JsonObject } from '../../template/types';
import type { NestedChild, NestedChildRequest, ResourceType } from '../plugin';

/** The image Heat's template installs, as the engine knows it (a stand-in of the catalog here). */
export const DB_IMAGE = 'mysql:5';

const str = (value: unknown) => (value === undefined || value === null ? '' : String(value));

function child(req: NestedChildRequest): NestedChild {
  const p = req.properties;
  const password = str(p.MasterUserPassword);
  const template: JsonObject = {
    heat_template_version: '2016-10-14',
    resources: {
      DatabaseInstance: {
        type: 'DockerInc::Docker::Container',
        properties: {
          image: DB_IMAGE,
          env: [`MYSQL_ROOT_PASSWORD=${password}`, `MYSQL_DATABASE=${str(p.DBName)}`, `MYSQL_USER=${str(p.MasterUsername)}`, `MYSQL_PASSWORD=${password}`],
        },
      },
    },
    outputs: {
      // As in Heat's template: the server's address, and the Port property as given (MySQL listens on 3306 either way).
      'Endpoint.Address': { value: { get_attr: ['DatabaseInstance', 'network_ip'] } },
      'Endpoint.Port': { value: str(p.Port) || '3306' },
    },
  };
  return { template, parameters: {}, attributes: Object.fromEntries(req.attributes.map((name) => [name, name])) };
}

const recorded = (description: string) => `${description} Recorded only.`;

export const rdsDbInstance: ResourceType = {
  name: 'AWS::RDS::DBInstance',
  runs: { where: 'stack', copies: true },
  supportStatus: { status: 'SUPPORTED', version: '2014.1' },
  description: 'A MySQL database in a stack of its own, as Heat\'s built-in template makes it: a MySQL container with DBName and its user.',
  properties: {
    AllocatedStorage: { type: 'string', required: true, description: recorded('Storage size: a local volume has none.') },
    DBInstanceClass: { type: 'string', required: true, description: recorded('The instance class (db.m1.small…).') },
    DBName: { type: 'string', required: true, description: 'The database to create.' },
    DBSecurityGroups: { type: 'list', default: [], description: recorded('Security groups: not enforced.') },
    Engine: { type: 'string', required: true, allowedValues: ['MySQL'], description: 'The database engine: MySQL.' },
    MasterUsername: { type: 'string', required: true, description: 'The user made with every right on DBName.' },
    MasterUserPassword: { type: 'string', required: true, description: 'The password of that user, and of root.' },
    Port: { type: 'string', default: '3306', description: 'The port Endpoint.Port gives (as in Heat, MySQL listens on 3306 whatever it says).' },
    KeyName: { type: 'string', default: '', description: recorded('A key pair: no server is booted.') },
  },
  attributes: {
    'Endpoint.Address': { description: 'The address the database is reached at.' },
    'Endpoint.Port': { description: 'The Port property.' },
  },
  nested: { child },
};
