/**
 * Stacks inside stacks (Heat's StackResource family): a template file used as a type, OS::Heat::Stack and
 * AWS::CloudFormation::Stack. Each resource is a child stack, run by the engine as a child workflow with its
 * own history; a type here only says what the child's template and parameters are and which of its outputs
 * give the resource's attributes.
 */
import { isObject } from '../../template/parse';
import type { JsonObject } from '../../template/types';
import type { NestedChild, NestedChildRequest, ResourceType, RunProfile } from '../plugin';
import { rdsDbInstance } from './rds';
import { groupPart, resourceGroup } from './resource-group';
import { SCALING_TYPES } from './scaling';
import { softwareDeploymentGroup } from './software-deployment-group';

/** A child is made before the copy it replaces is deleted: two child stacks never share anything. */
const STACK: RunProfile = { where: 'stack', copies: true };

/** The type of a resource whose type is a template file: the planner gives it the file's text. */
export const TEMPLATE_RESOURCE = 'OS::Heat::TemplateResource';

/** Every attribute the parent reads is the child's output of that name (Heat's template resource). */
const outputsByName = (req: NestedChildRequest): NestedChild['attributes'] => Object.fromEntries(req.attributes.map((name) => [name, name]));

export const templateResource: ResourceType = {
  name: TEMPLATE_RESOURCE,
  runs: STACK,
  supportStatus: { status: 'HIDDEN', message: 'Used by naming a template file as a resource type.' },
  description: 'A template file used as a resource type: its properties are the template\'s parameters, its outputs the resource\'s attributes.',
  properties: {},
  attributes: {},
  anyProperties: true,
  dynamicAttributes: true,
  nested: {
    child: (req) => ({
      template: req.template?.text ?? '',
      parameters: req.properties,
      attributes: outputsByName(req),
      // As in Heat, a template resource whose template outputs OS::stack_id gives that to get_resource.
      ref: 'OS::stack_id',
    }),
  },
};

export const heatStack: ResourceType = {
  name: 'OS::Heat::Stack',
  runs: STACK,
  supportStatus: { status: 'SUPPORTED', version: '2014.2' },
  description: 'A stack inside this one, from a template given inline or read with get_file.',
  properties: {
    template: { type: 'any', required: true, updateAllowed: true, description: 'The nested template, as text (get_file) or as a mapping.' },
    parameters: { type: 'map', default: {}, updateAllowed: true, description: 'Parameter values of the nested stack.' },
    timeout: { type: 'number', updateAllowed: true, description: 'The nested stack\'s timeout in minutes; the parent\'s when not given.' },
    context: { type: 'map', description: 'Heat\'s region of the nested stack: recorded only, stoke has one region.' },
  },
  attributes: {
    outputs: { description: 'The nested stack\'s outputs, a mapping; get_attr [r, outputs, key] reads one.' },
    stack_name: { description: 'The nested stack\'s name.' },
  },
  nested: {
    // Empty: a value still unknown (`template validate` without parameters); the child is then checked when made.
    source: ({ template }) => ((typeof template === 'string' && template.trim() !== '') || (isObject(template) && Object.keys(template).length > 0) ? { template } : undefined),
    child: (req) => ({
      template: req.properties.template as string | JsonObject,
      parameters: (req.properties.parameters ?? {}) as JsonObject,
      attributes: Object.fromEntries(req.attributes.map((name) => [name, name === 'stack_name' ? { stack: 'name' } : null])),
    }),
  },
};

export const cfnStack: ResourceType = {
  name: 'AWS::CloudFormation::Stack',
  runs: STACK,
  supportStatus: { status: 'SUPPORTED', version: '2014.1' },
  description: 'A stack inside this one, from a template file named by TemplateURL (a local file: stoke fetches no URLs).',
  properties: {
    TemplateURL: { type: 'string', required: true, updateAllowed: true, description: 'The nested template\'s file, relative to this template.' },
    TimeoutInMinutes: { type: 'number', updateAllowed: true, description: 'The nested stack\'s timeout in minutes; the parent\'s when not given.' },
    Parameters: { type: 'map', default: {}, updateAllowed: true, description: 'Parameter values of the nested stack.' },
  },
  attributes: {},
  dynamicAttributes: true,
  nested: {
    source: (properties) => (typeof properties.TemplateURL === 'string' ? { file: properties.TemplateURL } : undefined),
    child: (req) => ({
      template: req.template?.text ?? '',
      parameters: (req.properties.Parameters ?? {}) as JsonObject,
      // Fn::GetAtt [r, Outputs.Name] reads the child's output Name.
      attributes: Object.fromEntries(req.attributes.map((name) => [name, name.replace(/^Outputs\./, '')])),
    }),
  },
};

export const STACK_TYPES = [templateResource, heatStack, cfnStack, resourceGroup, groupPart, softwareDeploymentGroup, rdsDbInstance, ...SCALING_TYPES];
