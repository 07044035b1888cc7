/**
 * The planner's pass over volume attachments. In Heat an attachment is a resource that depends on its
 * server and attaches the volume to the running server; Docker adds no mount to a running container. So
 * the server is made to require the volume and is handed the mount in its plan (`mounts`), and boots with
 * it; the attachment only checks the mount once the server exists. A volume that itself refers to the server
 * comes after it: the server then makes the volume, under the name and labels the volume's create adopts.
 */
import type { ResourceType } from '../resources/plugin';
import { findReferences } from './functions';
import type { PlanContext } from './plan-context';
import type { Json, VolumeMount } from './types';

/** The resource a property names by get_resource / Ref, when its whole value is that reference. */
function referenced(ctx: PlanContext, value: Json | undefined): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const [ref, ...more] = findReferences(value, ctx.format, ctx.names, '');
  return ref && more.length === 0 && ref.attribute === undefined && ref.path.split('.').length === 2 ? ref.resource : undefined;
}

/** Whether `from` requires `to`, directly or through others. */
function reaches(ctx: PlanContext, from: string, to: string): boolean {
  const seen = new Set<string>();
  const walk = (name: string): boolean => {
    if (name === to) return true;
    if (seen.has(name)) return false;
    seen.add(name);
    return [...(ctx.resources[name]?.requiresSet ?? [])].some(walk);
  };
  return walk(from);
}

/** The resource the attachment's property names, if it is one of `role`; else the problem is reported. */
function partOf(ctx: PlanContext, name: string, property: string, role: 'server' | 'volume'): string | undefined {
  return namedAs(ctx, `${ctx.syntax.resources}.${name}.${ctx.syntax.properties}.${property}`, ctx.resources[name]!.properties[property], role);
}

/** The resource `value` (found at `at`) names, if it is one of `role`; else the problem is reported. */
function namedAs(ctx: PlanContext, at: string, value: Json | undefined, role: 'server' | 'volume'): string | undefined {
  const target = referenced(ctx, value);
  const schema = target === undefined ? undefined : ctx.schemas[target];
  if (target !== undefined && typeof schema === 'object' && schema.mountRole === role) return target;
  // Heat's validate takes a server's id from a parameter (a nested template's attachment): only a create needs the server here.
  if (target === undefined && ctx.validateOnly) return undefined;
  const kinds = role === 'server' ? 'a server of this stack (OS::Nova::Server, AWS::EC2::Instance)' : 'a volume of this stack (OS::Cinder::Volume, AWS::EC2::Volume)';
  const why = role === 'server' ? 'stoke mounts a volume when it boots the server, since a container takes no mount once it runs' : 'the server mounts the volume the stack makes';
  ctx.issues.fail('InvalidProperty', at, `must name ${kinds} with ${ctx.format === 'hot' ? 'get_resource' : 'Ref'}: ${why}`);
  return undefined;
}

/** One mount asked for by `attachment` (an attachment resource, or the server itself), its mountpoint found at `at`. */
interface MountAsked {
  readonly attachment: string;
  readonly server: string | undefined;
  readonly volume: string | undefined;
  readonly mountpoint: Json | undefined;
  readonly at: string;
}

function addMount(ctx: PlanContext, mounts: Record<string, VolumeMount[]>, asked: MountAsked): void {
  const { attachment, server, volume, at } = asked;
  const mountpoint = asked.mountpoint ?? '';
  if (typeof mountpoint !== 'string') {
    // A parameter validate was given no value for: only a create must know where to mount.
    if (!ctx.validateOnly) ctx.issues.fail('InvalidProperty', at, 'must be known before the stack is created (a parameter or a text), since the server mounts the volume when it boots');
    return;
  }
  if (server === undefined || volume === undefined) return;
  const taken = mountpoint && mounts[server]?.find((m) => m.mountpoint === mountpoint);
  if (taken) return ctx.issues.fail('InvalidProperty', at, `${taken.attachment} mounts a volume at ${mountpoint} on ${server} already`);
  (mounts[server] ??= []).push({ attachment, volume, mountpoint });
}

/** Hands each attachment's mount to its server, which then requires the volume unless the volume requires it. */
export function planMounts(ctx: PlanContext): void {
  const mounts: Record<string, VolumeMount[]> = {};
  for (const [name, resource] of Object.entries(ctx.resources)) {
    const schema = ctx.schemas[name];
    const { attaches, mountsOwn } = typeof schema === 'object' ? (schema as ResourceType) : {};
    const at = (property: string) => `${ctx.syntax.resources}.${name}.${ctx.syntax.properties}.${property}`;
    if (attaches) {
      addMount(ctx, mounts, {
        attachment: name, server: partOf(ctx, name, attaches.server, 'server'), volume: partOf(ctx, name, attaches.volume, 'volume'),
        mountpoint: resource.properties[attaches.mountpoint], at: at(attaches.mountpoint),
      });
    }
    const own = mountsOwn && resource.properties[mountsOwn.property];
    if (!mountsOwn || !Array.isArray(own)) continue;
    own.forEach((item, i) => {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) return;
      const volume = namedAs(ctx, at(`${mountsOwn.property}[${i}].${mountsOwn.volume}`), item[mountsOwn.volume], 'volume');
      addMount(ctx, mounts, { attachment: name, server: name, volume, mountpoint: item[mountsOwn.mountpoint], at: at(`${mountsOwn.property}[${i}].${mountsOwn.mountpoint}`) });
    });
  }
  for (const [server, list] of Object.entries(mounts)) {
    const planned = ctx.resources[server]!;
    // A volume that refers to its server (CFN's AvailabilityZone from the instance) comes after it: the server makes it.
    list.filter((m) => !reaches(ctx, m.volume, server)).forEach((m) => planned.requiresSet.add(m.volume));
    ctx.resources[server] = { ...planned, mounts: list };
  }
}
