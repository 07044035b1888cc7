/** Heat's template calls (validate, resource types, template versions and functions) and the API's access settings. */
import { apiTokenOf } from '../../src/api/auth';
import { faultOf } from '../../src/api/faults';
import { listTypes, showType, templateFunctions, templateVersions, typeTemplate, validateTemplate } from '../../src/api/templates';
import { listedTypes, resourceTypeView } from '../../src/client/resource-types';
import { loadConfig } from '../../src/config';
import { RESOURCE_TYPES } from '../../src/resources/registry';
import { FUNCTION_DESCRIPTIONS, REFUSED_FUNCTIONS } from '../../src/template/function-docs';
import { parseFile } from '../../src/template/parse';
import { planStack } from '../../src/template/plan';
import { KNOWN_FUNCTIONS } from '../../src/template/versions';

const q = (query = '') => new URLSearchParams(query);

function thrown(fn: () => unknown): ReturnType<typeof faultOf> {
  try {
    fn();
  } catch (err) {
    return faultOf(err);
  }
  throw new Error('no error');
}

const HOT = `heat_template_version: 2016-10-14
description: a web server
parameter_groups:
  - {label: access, parameters: [password]}
parameters:
  password: {type: string, hidden: true, label: Password, constraints: [{length: {min: 8}, description: eight at least}]}
  port: {type: number, default: 80, description: the port, constraints: [{range: {min: 1, max: 65535}}, {modulo: {step: 2, offset: 0}}]}
  flavor: {type: string, default: m1.small, constraints: [{allowed_values: [m1.small, m1.large]}, {custom_constraint: nova.flavor}]}
  names: {type: comma_delimited_list, default: 'a,b'}
resources:
  r: {type: My::Random}
`;

describe('validate', () => {
  test('answers Heat\'s shape: CFN keys per parameter, hidden values masked, groups, the merged environment', () => {
    const answer = validateTemplate({
      template: HOT, parameters: { password: 'a-long-secret', port: 8080 },
      environment: { resource_registry: { 'My::Random': 'OS::Heat::RandomString' }, parameter_defaults: { flavor: 'm1.large' } },
    }, q());
    expect(answer).toEqual({
      Description: 'a web server',
      Parameters: {
        password: { Type: 'String', Description: '', Label: 'Password', NoEcho: 'true', Value: '******', MinLength: 8, ConstraintDescription: 'eight at least' },
        port: { Type: 'Number', Description: 'the port', Label: 'port', NoEcho: 'false', Default: 80, Value: '8080', MinValue: 1, MaxValue: 65535, Step: 2, Offset: 0 },
        flavor: { Type: 'String', Description: '', Label: 'flavor', NoEcho: 'false', Default: 'm1.small', AllowedValues: ['m1.small', 'm1.large'], CustomConstraint: 'nova.flavor' },
        names: { Type: 'CommaDelimitedList', Description: '', Label: 'names', NoEcho: 'false', Default: 'a,b' },
      },
      ParameterGroups: [{ label: 'access', parameters: ['password'] }],
      Environment: {
        parameters: { password: '******', port: '8080' }, parameter_defaults: { flavor: 'm1.large' },
        resource_registry: { 'My::Random': 'OS::Heat::RandomString', resources: {} }, event_sinks: [],
      },
    });
    expect(JSON.stringify(answer)).not.toContain('a-long-secret');
  });

  test('CFN templates: constraints from the parameter\'s keys; no description is an empty one', () => {
    const template = { HeatTemplateFormatVersion: '2012-12-12', Parameters: { Name: { Type: 'String', MinLength: '2', MaxLength: '9', AllowedPattern: '[a-z]+', ConstraintDescription: 'lower case' } }, Resources: {} };
    expect(validateTemplate({ template }, q())).toEqual({
      Description: '',
      Parameters: { Name: { Type: 'String', Description: '', Label: 'Name', NoEcho: 'false', MinLength: 2, MaxLength: 9, AllowedPattern: '[a-z]+', ConstraintDescription: 'lower case' } },
      Environment: { parameters: {}, parameter_defaults: {}, resource_registry: { resources: {} }, event_sinks: [] },
    });
  });

  test('an invalid template is a 400 listing every error with its path, as `stoke template validate` prints them', () => {
    const template = 'heat_template_version: 2016-10-14\nparameters:\n  n: {type: number, default: x}\nresources:\n  r: {type: OS::Nope}\n  s: {type: OS::Heat::None, depends_on: [t]}\n';
    const fault = thrown(() => validateTemplate({ template }, q()));
    expect(fault).toMatchObject({ code: 400, error: { type: 'StackValidationFailed' } });
    expect(fault.error.message).toMatch(/^template is invalid \(3 errors\):/);
    expect(fault.error.message).toContain("template:3:3: parameters.n: parameter 'n' (number): default 'x' is not a number");
    expect(fault.error.message).toMatch(/template:5:\d+: resources\.r\.type: .*OS::Nope/);
    expect(fault.error.message).toMatch(/template:6:\d+: resources\.s\.depends_on.*'t'/);
  });

  test('a template sent as an object (as heatclient sends it) has no lines of its own: its errors give their paths', () => {
    const template = { heat_template_version: '2016-10-14', resources: { r: { type: 'OS::Nope' } } };
    const fault = thrown(() => validateTemplate({ template, environment: 'parameters: {}\nbogus: 1\n' }, q()));
    expect(fault.error.message).toMatch(/\n {2}template: resources\.r\.type: unknown resource type 'OS::Nope'/);
    expect(fault.error.message).toMatch(/\n {2}environment:2:1: bogus: unknown environment section 'bogus'/);
  });

  test('show_nested and ignore_errors: refused clearly where stoke has nothing to give; no template is Heat\'s message', () => {
    const template = 'heat_template_version: 2016-10-14\ndescription: a web server\n';
    expect(thrown(() => validateTemplate({ template }, q('show_nested=true')))).toMatchObject({ code: 400, error: { message: expect.stringContaining('show_nested is not supported') } });
    expect(validateTemplate({ template }, q('show_nested=false&ignore_errors=99001')).Description).toBe('a web server');
    expect(thrown(() => validateTemplate({ template }, q('ignore_errors=99001,123')))).toMatchObject({ code: 400, error: { message: 'Invalid codes in ignore_errors : ["123"]' } });
    expect(thrown(() => validateTemplate({ template }, q('show_nested=maybe')))).toMatchObject({ code: 400, error: { message: expect.stringContaining('Unrecognized value "maybe" for "show_nested"') } });
    expect(thrown(() => validateTemplate({}, q()))).toMatchObject({ code: 400, error: { message: 'No template specified' } });
  });
});

describe('resource types', () => {
  const all = listedTypes(Object.values(RESOURCE_TYPES));

  test('list: every type but hidden ones; name is a regular expression matched at the start, as Heat\'s re.match', () => {
    expect(listTypes(q())).toEqual(all);
    expect(listTypes(q('name=OS::Heat::'))).toEqual(all.filter((t) => t.startsWith('OS::Heat::')));
    expect(listTypes(q('name=.*Random'))).toEqual(['OS::Heat::RandomString']);
    expect(listTypes(q('name=Heat'))).toEqual([]);
    expect(listTypes(q('name=('))).toEqual([]);
  });

  test('list: support_status and version filters, descriptions when asked, bad values refused', () => {
    expect(listTypes(q('support_status=DEPRECATED'))).toEqual(all.filter((t) => RESOURCE_TYPES[t]!.supportStatus?.status === 'DEPRECATED'));
    expect(listTypes(q('support_status=DEPRECATED'))).toContain('OS::Heat::Docker');
    expect(listTypes(q('version=2014.1'))).toContain('OS::Heat::RandomString');
    expect(listTypes(q('version=2014.1')).every((t) => RESOURCE_TYPES[t as string]!.supportStatus?.version === '2014.1')).toBe(true);
    expect(listTypes(q('name=OS::Heat::RandomString&with_description=true'))).toEqual([{ resource_type: 'OS::Heat::RandomString', description: RESOURCE_TYPES['OS::Heat::RandomString']!.description }]);
    expect(thrown(() => listTypes(q('support_status=GREAT')))).toMatchObject({ code: 400, error: { message: expect.stringContaining('Invalid support status') } });
  });

  test('show: `stoke resource type show`\'s schema, the description only when asked; an unknown type is a 404', () => {
    const { description, ...view } = resourceTypeView(RESOURCE_TYPES['OS::Heat::RandomString']!);
    expect(showType('OS::Heat::RandomString', q())).toEqual(view);
    expect(showType('OS::Heat::RandomString', q('with_description=True'))).toEqual({ ...view, description });
    expect(thrown(() => showType('OS::Nova::Nothing', q()))).toMatchObject({ code: 404, error: { type: 'ResourceTypeNotFound', message: 'The Resource Type (OS::Nova::Nothing) could not be found.' } });
  });

  test('template: HOT and CFN as Heat generates them, properties fed by parameters, attributes as outputs', () => {
    const hot = typeTemplate('OS::Heat::RandomString', q('template_type=hot'));
    expect(hot).toMatchObject({
      heat_template_version: '2015-04-30', description: 'Initial template of RandomString',
      resources: { RandomString: { type: 'OS::Heat::RandomString', properties: { length: { get_param: 'length' } } } },
      outputs: { value: { value: { get_attr: ['RandomString', 'value'] }, description: 'The random string generated by this resource.' } },
    });
    expect((hot.parameters as Record<string, unknown>).length).toEqual({ type: 'number', description: 'Length of the string to generate.', default: 32, constraints: [{ range: { min: 1, max: 512 } }] });
    const cfn = typeTemplate('OS::Heat::RandomString', q());
    expect(cfn).toMatchObject({
      HeatTemplateFormatVersion: '2012-12-12', Description: 'Initial template of RandomString',
      Parameters: { length: { Type: 'Number', Description: 'Length of the string to generate.', Default: 32, MinValue: 1, MaxValue: 512 } },
      Resources: { RandomString: { Type: 'OS::Heat::RandomString', Properties: { length: { Ref: 'length' } } } },
      Outputs: { value: { Value: { 'Fn::GetAtt': ['RandomString', 'value'] } } },
    });
    expect(thrown(() => typeTemplate('OS::Heat::RandomString', q('template_type=tosca')))).toMatchObject({ code: 400 });
    expect(thrown(() => typeTemplate('OS::Nope', q()))).toMatchObject({ code: 404 });
  });

  test.each(listedTypes(Object.values(RESOURCE_TYPES)).flatMap((type) => [[type, 'hot'], [type, 'cfn']]))('the generated template of %s (%s) is one stoke validates', (type, format) => {
    const template = typeTemplate(type, q(`template_type=${format}`));
    const result = planStack({ stackName: 'generated', template: parseFile(JSON.stringify(template), 'generated.json'), mode: 'validate' });
    expect(result.errors).toEqual([]);
  });
});

describe('template versions', () => {
  test('every version stoke reads, named as Heat names them, release names as aliases', () => {
    const versions = templateVersions();
    expect(versions.slice(0, 3)).toEqual([
      { version: 'AWSTemplateFormatVersion.2010-09-09', type: 'cfn', aliases: [] },
      { version: 'HeatTemplateFormatVersion.2012-12-12', type: 'cfn', aliases: [] },
      { version: 'heat_template_version.2013-05-23', type: 'hot', aliases: [] },
    ]);
    expect(versions).toContainEqual({ version: 'heat_template_version.2016-10-14', type: 'hot', aliases: ['heat_template_version.newton'] });
    for (const { version } of versions) {
      const [key, date] = version.split('.');
      const result = planStack({ stackName: 'v', template: parseFile(JSON.stringify({ [key!]: date }), 'v.json'), mode: 'validate' });
      expect(result.errors).toEqual([]);
    }
  });

  test('functions: the version\'s own, condition functions when asked, none stoke refuses; unknown version 404', () => {
    const names = (version: string, query = '') => templateFunctions(version, q(query)).map((f) => f.functions);
    expect(names('heat_template_version.2013-05-23')).toEqual(expect.arrayContaining(['get_param', 'get_file', 'Fn::Select', 'Fn::GetAZs']));
    expect(names('heat_template_version.2013-05-23')).not.toContain('resource_facade');
    expect(names('heat_template_version.2016-10-14')).toEqual(expect.arrayContaining(['if', 'map_replace', 'str_split']));
    expect(names('heat_template_version.2016-10-14')).not.toEqual(expect.arrayContaining(['yaql']));
    expect(names('heat_template_version.2016-10-14')).not.toContain('equals');
    expect(names('heat_template_version.newton', 'with_condition_func=true')).toEqual(expect.arrayContaining(['equals', 'not', 'and', 'or', 'get_param']));
    expect(names('heat_template_version.2015-10-15')).not.toContain('Fn::Select');
    expect(names('AWSTemplateFormatVersion.2010-09-09')).toEqual(expect.arrayContaining(['Fn::If', 'Fn::FindInMap', 'Ref']));
    expect(templateFunctions('heat_template_version.2013-05-23', q())[0]).toEqual({ functions: expect.any(String), description: expect.stringMatching(/^A /) });
    expect(thrown(() => templateFunctions('heat_template_version.2099-01-01', q()))).toMatchObject({ code: 404, error: { type: 'NotFound', message: 'Template with version heat_template_version.2099-01-01 not found' } });
  });

  test('every function stoke knows has a description, and the refused ones are refused by the template language', () => {
    for (const fn of [...KNOWN_FUNCTIONS.hot, ...KNOWN_FUNCTIONS.cfn]) expect([fn, FUNCTION_DESCRIPTIONS[fn]]).toEqual([fn, expect.any(String)]);
    for (const fn of REFUSED_FUNCTIONS) {
      const template = fn.startsWith('Fn::')
        ? { HeatTemplateFormatVersion: '2012-12-12', Outputs: { o: { Value: { [fn]: 'Metadata' } } } }
        : { heat_template_version: '2017-09-01', outputs: { o: { value: { [fn]: fn === 'yaql' ? { expression: '1' } : 'metadata' } } } };
      const result = planStack({ stackName: 'f', template: parseFile(JSON.stringify(template), 'f.json'), mode: 'validate' });
      expect(result.errors.map((e) => e.message).join()).toMatch(/not support/);
    }
  });
});

describe('running the API', () => {
  const config = (env: Record<string, string>) => loadConfig(env);

  test('STOKE_API=1 or STOKE_API_BIND enables it for the worker; STOKE_API=0 disables it for stoke dev too', () => {
    expect(loadConfig({}).apiEnabled).toBeUndefined();
    expect(loadConfig({ STOKE_API: '1' }).apiEnabled).toBe(true);
    expect(loadConfig({ STOKE_API_BIND: '127.0.0.1:9004' }).apiEnabled).toBe(true);
    expect(loadConfig({ STOKE_API: '0', STOKE_API_BIND: '9004' }).apiEnabled).toBe(false);
  });

  test('auth none: no token on loopback; refused on any other address; other values refused', () => {
    expect(apiTokenOf(config({ STOKE_API_AUTH: 'none' }))).toBeUndefined();
    expect(apiTokenOf(config({ STOKE_API_AUTH: 'none', STOKE_API_BIND: '127.0.0.2:9004' }))).toBeUndefined();
    expect(apiTokenOf(config({ STOKE_API_AUTH: 'none', STOKE_API_BIND: '::1:9004' }))).toBeUndefined();
    for (const bind of ['0.0.0.0:9004', '10.1.2.3:9004', 'example.org:9004', ':::9004']) {
      expect(() => apiTokenOf(config({ STOKE_API_AUTH: 'none', STOKE_API_BIND: bind }))).toThrow(/STOKE_API_AUTH=none .* not a loopback address/);
    }
    expect(apiTokenOf(config({ STOKE_API_TOKEN: 't1' }))).toBe('t1');
    expect(() => apiTokenOf(config({ STOKE_API_AUTH: 'keystone' }))).toThrow("STOKE_API_AUTH must be 'token' or 'none', got 'keystone'");
  });
});
