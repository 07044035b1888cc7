/** AWS::RDS::DBInstance: Heat's built-in template's parameters as its schema, and the child stack it runs. */
import { resourceType } from '../../src/resources/registry';
import { rdsDbInstance } from '../../src/resources/stacks/rds';
import { parseFile } from '../../src/template/parse';
import { planStack } from '../../src/template/plan';
import type { JsonObject } from '../../src/template/types';

const properties = { DBName: 'wordpress', Engine: 'MySQL', MasterUsername: 'admin', DBInstanceClass: 'db.m1.small', AllocatedStorage: '5', MasterUserPassword: 'secret', Port: '3306' };

function validate(props: string) {
  const text = `AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  db:\n    Type: AWS::RDS::DBInstance\n    Properties: ${props}\nOutputs:\n  at: {Value: {'Fn::GetAtt': [db, Endpoint.Address]}}\n`;
  return planStack({ stackName: 'demo', template: parseFile(text, 'rds.yaml'), mode: 'validate' }).errors.map((e) => `${e.path}: ${e.message}`);
}

test('the child is a MySQL container with the database and user of the properties; its outputs are the endpoint', () => {
  const child = rdsDbInstance.nested!.child({ stack: 's', resource: 'db', properties, attributes: ['Endpoint.Address', 'Endpoint.Port'] });
  const template = child.template as JsonObject;
  expect(template.resources).toEqual({
    DatabaseInstance: {
      type: 'DockerInc::Docker::Container',
      properties: { image: 'mysql:5', env: ['MYSQL_ROOT_PASSWORD=secret', 'MYSQL_DATABASE=wordpress', 'MYSQL_USER=admin', 'MYSQL_PASSWORD=secret'] },
    },
  });
  expect(template.outputs).toEqual({ 'Endpoint.Address': { value: { get_attr: ['DatabaseInstance', 'network_ip'] } }, 'Endpoint.Port': { value: '3306' } });
  expect(child.attributes).toEqual({ 'Endpoint.Address': 'Endpoint.Address', 'Endpoint.Port': 'Endpoint.Port' });
  const planned = planStack({ stackName: 's-db', template: parseFile(JSON.stringify(template), 'db.yaml'), mode: 'create' });
  expect(planned.errors).toEqual([]);
});

test('its properties are the built-in template\'s parameters: required ones, Engine MySQL only', () => {
  expect(validate(JSON.stringify(properties))).toEqual([]);
  expect(validate(JSON.stringify({ ...properties, Engine: 'Postgres' }))).toEqual(["Resources.db.Properties.Engine: 'Postgres' is not one of MySQL"]);
  expect(validate('{Engine: MySQL}')).toHaveLength(5);
  expect(resourceType('AWS::RDS::DBInstance')).toMatchObject({ runs: { where: 'stack', copies: true } });
});
