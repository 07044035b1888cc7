/**
 * Heat's OS::Heat::TestResource: stores a string and takes as long as it is told to, or fails when told
 * to. Stacks of it exercise the engine (ordering, parallelism, failure, rollback, cancellation) with no
 * engine behind it; the lifecycle and scaling benchmarks use it.
 */
import type { Json, JsonObject } from '../../template/types';
import type { HandlerContext, ResourceRequest, ResourceType } from '../plugin';

type Action = 'create' | 'update' | 'delete' | 'suspend' | 'resume';

const seconds = (description: string) => ({ type: 'number' as const, updateAllowed: true, description });

const asNumber = (value: Json | undefined): number | undefined => {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && !Number.isNaN(n) ? n : undefined;
};

/** Heat's _wait_secs: the action's own entry of action_wait_secs, else wait_secs. */
function waitSecs(properties: JsonObject, action: Action): number {
  const perAction = properties.action_wait_secs;
  const own = perAction && typeof perAction === 'object' && !Array.isArray(perAction) ? asNumber(perAction[action]) : undefined;
  return own ?? asNumber(properties.wait_secs) ?? 0;
}

/**
 * Waits `secs` seconds (forever when negative, as Heat's -1), heartbeating each second as Heat polls, and
 * stops at once when the attempt is cancelled (it learns so from a heartbeat's answer).
 */
async function simulateEffort(secs: number, ctx: HandlerContext): Promise<void> {
  if (secs === 0) return;
  // Loaded here, not at the top: validation and `resource type list` read this module's schema only.
  const { Context } = await import('@temporalio/activity');
  const deadline = secs < 0 ? Infinity : Date.now() + secs * 1000;
  for (let left = deadline - Date.now(); left > 0; left = deadline - Date.now()) {
    ctx.heartbeat({ waited: secs < 0 ? 'forever' : `${Math.round(secs - left / 1000)}/${secs} s` });
    await Context.current().sleep(Math.min(1000, left));
  }
}

const waitFor = (action: Action) => async (req: ResourceRequest, ctx: HandlerContext): Promise<void> => simulateEffort(waitSecs(req.properties, action), ctx);

export const testResource: ResourceType = {
  name: 'OS::Heat::TestResource',
  description: 'A resource which stores the string value that was provided. For testing only: it waits and fails as its properties say.',
  supportStatus: { status: 'SUPPORTED', version: '5.0.0' },
  runs: { where: 'activity', heartbeat: true },
  properties: {
    value: { type: 'string', default: 'test_string', updateAllowed: true, description: 'The input string to be stored.' },
    update_replace: {
      type: 'boolean', default: false, updateAllowed: true,
      description: 'Value which can be set to trigger update replace for the particular resource.',
    },
    update_replace_value: { type: 'string', since: '7.0.0', description: 'Some value that can be stored but can not be updated.' },
    fail: {
      type: 'boolean', default: false, updateAllowed: true,
      description: 'Value which can be set to fail the resource operation to test failure scenarios.',
    },
    client_name: {
      type: 'string', default: '', updateAllowed: true,
      description: 'Client to poll. Recorded only: stoke has no OpenStack clients, so the resource just waits.',
    },
    entity_name: { type: 'string', default: '', updateAllowed: true, description: 'Client entity to poll. Recorded only, as client_name.' },
    wait_secs: { ...seconds('Seconds to wait after an action (-1 is infinite).'), default: 0 },
    action_wait_secs: {
      type: 'map',
      updateAllowed: true,
      description: 'Options for simulating waiting.',
      keys: {
        create: seconds('Seconds to wait after a create. Defaults to the global wait_secs.'),
        update: seconds('Seconds to wait after an update. Defaults to the global wait_secs.'),
        delete: seconds('Seconds to wait after a delete. Defaults to the global wait_secs.'),
        suspend: seconds("Seconds to wait after a suspend. Defaults to the global wait_secs. stoke's addition: Heat's TestResource has no suspend."),
        resume: seconds("Seconds to wait after a resume. Defaults to the global wait_secs. stoke's addition: Heat's TestResource has no resume."),
      },
    },
    attr_wait_secs: { ...seconds('Number value for timeout during resolving output value.'), default: 0, since: '6.0.0' },
    constraint_prop_secs: {
      ...seconds('Number value for delay during resolve constraint.'),
      default: 0,
      since: '6.0.0',
      constraints: [{ customConstraint: 'test_constr' }],
    },
  },
  attributes: {
    output: { type: 'string', description: 'The string that was stored. This value is also available by referencing the resource.' },
  },
  handler: {
    async create(req, ctx) {
      await simulateEffort(waitSecs(req.properties, 'create'), ctx);
      if (req.properties.fail === true) {
        const { ApplicationFailure } = await import('@temporalio/common');
        // Heat's own words; retrying a resource told to fail cannot help.
        throw ApplicationFailure.nonRetryable(`Test Resource failed ${req.resource}`, 'TestResourceFailed');
      }
      // Heat resolves the attribute when it is read; here attributes are computed once, at create.
      if (req.attributes.includes('output')) await simulateEffort(asNumber(req.properties.attr_wait_secs) ?? 0, ctx);
      return { physicalId: `${req.stack}-${req.resource}`, attributes: { output: req.properties.value ?? 'test_string' } };
    },
    delete: waitFor('delete'),
    suspend: waitFor('suspend'),
    resume: waitFor('resume'),
  },
};
