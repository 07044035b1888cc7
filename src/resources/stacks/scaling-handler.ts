import { handleToken, scaleEndpoint } from '../../gateway/signal';
import type { JsonObject } from '../../template/types';
import type { CreatedResource, CreateResourceRequest, HandlerContext } from '../plugin';

/**
 * A scaling policy's URL: signed like a wait condition handle's (derived, so a retried create gives the same),
 * served by the signal gateway, which starts the scale as a stack action.
 */
export async function createPolicy(req: CreateResourceRequest, ctx: HandlerContext): Promise<CreatedResource> {
  const url = `${scaleEndpoint(await ctx.signals.baseUrl(), req.stack, req.stackId, req.resource)}?Signature=${handleToken(ctx.signals.key, req.stack, req.stackId, `scale:${req.resource}`)}`;
  const attributes: JsonObject = req.type === 'AWS::AutoScaling::ScalingPolicy' ? { AlarmUrl: url } : { alarm_url: url, signal_url: url };
  // Ref of a CFN policy is its URL, as Heat's (alarms name it in AlarmActions).
  return { physicalId: `${req.stack}-${req.resource}`, ...(req.type === 'AWS::AutoScaling::ScalingPolicy' ? { refId: url } : {}), attributes };
}
