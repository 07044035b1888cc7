/** AWS::RDS::DBInstance on the real engine through a real Temporal: a nested stack whose MySQL serves DBName to its user at Endpoint.Address. */
import { loadConfig } from '../../src/config';
import { ensureRecipe, RECIPES } from '../../src/runtime/images';
import { docker, execIn, showStack, stoke, uniqueName, useWorker, writeTemplate } from '../helpers';

useWorker();

// No registry is reachable here: the catalog's MySQL stand-in is built on the test engine (cached once built).
beforeAll(async () => {
  await ensureRecipe(loadConfig(), process.env.STOKE_TEST_DOCKER!, RECIPES.find((recipe) => recipe.name === 'lamp')!, (message) => console.log(`[images] ${message}`));
});

const template = writeTemplate(`
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  db:
    Type: AWS::RDS::DBInstance
    Properties: {DBName: shop, Engine: MySQL, MasterUsername: clerk, MasterUserPassword: s3cret, DBInstanceClass: db.m1.small, AllocatedStorage: '5'}
Outputs:
  address: {Value: {'Fn::GetAtt': [db, Endpoint.Address]}}
  port: {Value: {'Fn::GetAtt': [db, Endpoint.Port]}}
`);

test('the database answers its user at the endpoint the attributes give', async () => {
  const stack = uniqueName('rds');
  const created = stoke('stack', 'create', stack, '-t', template, '--wait');
  expect(created.stderr).toBe('');
  expect(created.status).toBe(0);
  const { outputs } = showStack(stack);
  expect(outputs.port!.value).toBe('3306');
  const address = String(outputs.address!.value);
  expect(address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  const [server] = await docker().listContainers({ filters: { label: [`org.stoke.root-stack=${stack}`] } });
  // MySQL takes a moment to accept connections after its container starts: the client retries, as WordPress's would.
  const output = await execIn(server!.Id, `for i in $(seq 60); do mysql -h ${address} -P 3306 -u clerk -ps3cret shop -N -e 'select database(), current_user()' && exit 0; sleep 1; done; echo gave up`);
  expect(output).toMatch(/\| shop \| clerk@% \|/);

  expect(stoke('stack', 'delete', stack, '--wait').status).toBe(0);
  expect(await docker().listContainers({ all: true, filters: { label: [`org.stoke.root-stack=${stack}`] } })).toHaveLength(0);
});
