/**
 * What a resource type is: Heat's plugin model. One module per family of types declares each type's
 * schema (properties, attributes, support status), how the engine runs it, and its lifecycle handler;
 * the registry (./registry.ts) lists them, and the validator, `resource type list/show`, the planner
 * and the activities read only the registry. Workflows never import this: the plan carries what they
 * need (each resource's handler type and run profile), so workflow code stays free of Node modules.
 */
import type { Json, JsonObject, RunProfile, SourceFile, VolumeMount } from '../template/types';
import type { Catalog } from '../runtime/catalog';
import type { EndpointPolicy } from '../runtime/docker-endpoint';
import type { PropertySchema, AttributeSchema, TypeAlias } from './schema';

export type { RunProfile } from '../template/types';
export type { PropertySchema, AttributeSchema, TypeAlias, PropertyType, PropertyConstraint } from './schema';

/** Heat's support_status of a type. */
export interface SupportStatus {
  readonly status: 'SUPPORTED' | 'DEPRECATED' | 'UNSUPPORTED' | 'HIDDEN';
  /** The Heat release that introduced the type (or deprecated it). */
  readonly version?: string;
  readonly message?: string;
}

/** One resource the handler's resource requires, as the stack's state holds it. */
export interface Sibling {
  readonly type: string;
  readonly physicalId: string;
  readonly refId?: string;
  readonly attributes: JsonObject;
  readonly properties: JsonObject;
}

/** What every lifecycle request names: the stack, the resource, and the data the workflow hands over. */
export interface ResourceRequest {
  readonly stack: string;
  readonly stackId: string;
  readonly resource: string;
  /** The type the template names (after the environment's registry), as the stack's state shows it. */
  readonly type: string;
  /** The type whose handler runs (an alias's target); absent in requests of workflows older than the field. */
  readonly handler?: string;
  /** Which copy of the resource, when an update made it beside an older one (runs.copies): handlers label it so. */
  readonly copy?: string;
  /** The root stack above a nested stack (absent for a root stack's own resources): what it makes is labelled with the root too. */
  readonly root?: { readonly name: string; readonly id: string };
  /** The engine the stack was placed on: the one a resource naming no docker_endpoint uses, instead of the worker's own. */
  readonly engine?: string;
  /** Resolved properties, in the names of `type`. */
  readonly properties: JsonObject;
  /** The stack's hidden parameter values, masked in failure messages (which quote container output). */
  readonly hiddenValues?: readonly string[];
  /** By resource name: the resources this one requires, when its run profile needs `siblings`. */
  readonly siblings?: Readonly<Record<string, Sibling>>;
  /** The fixed IPs the stack holds already, when its run profile needs `addresses`. */
  readonly addresses?: readonly string[];
  /**
   * A server's volumes to mount at boot, when attachments of the stack name it (the plan's `mounts`); each
   * volume is among the siblings, since the server requires it.
   */
  readonly mounts?: readonly VolumeMount[];
}

export interface CreateResourceRequest extends ResourceRequest {
  /** Attributes the template reads from this resource: only these are computed and returned. */
  readonly attributes: readonly string[];
}

/** A resource that exists, or may (after a failed create): delete, suspend, resume, check act on it. */
export interface ExistingResourceRequest extends ResourceRequest {
  /** '' when the create never finished: the resource is then found by its labels. */
  readonly physicalId: string;
}

/** A change in place: `properties` are the new ones, `previous` those the resource has now. */
export interface UpdateResourceRequest extends ExistingResourceRequest {
  readonly previous: JsonObject;
  /** As in a create: the attributes the template reads, recomputed after the change. */
  readonly attributes: readonly string[];
}

/** Heat's adopt: take over the object an abandoned stack left, with what its abandon data recorded of it. */
export interface AdoptResourceRequest extends CreateResourceRequest {
  /** The object's id in the abandon data (`resource_id`). */
  readonly physicalId: string;
  /** The abandon data's `resource_data`: the attributes the stack held for the resource. */
  readonly data: JsonObject;
  /**
   * The object is the template's external_id: made outside the stack and never deleted by it, so it may belong
   * to another stack (whose delete may then take it, as Heat's would).
   */
  readonly external?: boolean;
}

export type DeleteResourceRequest = ExistingResourceRequest;
export type SuspendResourceRequest = ExistingResourceRequest;

export interface CreatedResource {
  readonly physicalId: string;
  /** What get_resource/Ref returns, when it is not the physical id. */
  readonly refId?: string;
  readonly attributes: JsonObject;
}

/** How a worker issues wait condition handle credentials: the gateway's key and its base URL as servers reach it. */
export interface SignalIssuer {
  readonly key: Buffer;
  readonly baseUrl: () => Promise<string>;
}

/** What the worker gives every handler: its engines, catalog and credentials, never the stack's state. */
export interface HandlerContext {
  /** The engine used by resources that name no docker_endpoint. */
  readonly dockerEndpoint: string;
  /** Which other engines templates may name, and which of them receive registry logins. */
  readonly endpointPolicy: EndpointPolicy;
  /** Image names and flavors servers boot with; stand-ins for images no registry here serves. */
  readonly catalog: Catalog;
  readonly signals: SignalIssuer;
  /** Sends a heartbeat with progress details (a no-op outside an ordinary activity). */
  readonly heartbeat: (details?: Json) => void;
}

/**
 * A type's lifecycle, Heat's handle_* methods. `create` and `delete` are what stacks need today; the
 * other hooks are filled in as stack update, check, suspend/resume and adopt arrive. A missing hook
 * means the action has nothing to do for the type (Heat's default), except `update`, whose absence
 * means every change replaces the resource.
 */
export interface ResourceHandler {
  create(req: CreateResourceRequest, ctx: HandlerContext): Promise<CreatedResource> | CreatedResource;
  delete?(req: DeleteResourceRequest, ctx: HandlerContext): Promise<void>;
  suspend?(req: SuspendResourceRequest, ctx: HandlerContext): Promise<void>;
  resume?(req: SuspendResourceRequest, ctx: HandlerContext): Promise<void>;
  /** Changes a resource in place, when only properties with `updateAllowed` changed. */
  update?(req: UpdateResourceRequest, ctx: HandlerContext): Promise<CreatedResource>;
  /** Heat's handle_check: throws when the resource is not as the stack expects it. */
  check?(req: ExistingResourceRequest, ctx: HandlerContext): Promise<void>;
  /**
   * Takes over an existing object (Heat's adopt): checks it exists and returns what create would have,
   * changing nothing. A type without the hook cannot be adopted; its resources must be created anew.
   */
  adopt?(req: AdoptResourceRequest, ctx: HandlerContext): Promise<CreatedResource> | CreatedResource;
}

/** What a nested stack's type is asked for its child: Heat's child_template and child_params. */
export interface NestedChildRequest {
  readonly stack: string;
  readonly resource: string;
  /** Resolved properties, in the names of the type. */
  readonly properties: JsonObject;
  /** The attributes the parent's template reads from the resource (get_attr names, `resource.0.x` included). */
  readonly attributes: readonly string[];
  /** The resources the child has now, when an update changes it: a group keeps its members' names. */
  readonly current?: readonly string[];
  /** The template the planner read for the resource (its type's file, a TemplateURL). */
  readonly template?: SourceFile;
  /** The resources it requires, when its run profile needs `siblings` (a CFN group's launch configuration). */
  readonly siblings?: Readonly<Record<string, Sibling>>;
  /**
   * The child's output values as they stand, when an update changes it: what the child itself carries
   * from one update to the next (a group's names removed for good, its members' refs).
   */
  readonly outputs?: JsonObject;
}

/** The child stack a nested resource runs, and how the resource's attributes come from the child's outputs. */
export interface NestedChild {
  /** The child's template, as text (YAML or JSON) or as data. */
  readonly template: string | JsonObject;
  readonly parameters: JsonObject;
  /**
   * For each attribute the parent reads, the child output that holds it; null gives the map of every output,
   * `{ stack }` the child stack's own name or id.
   */
  readonly attributes: Readonly<Record<string, string | null | { readonly stack: 'name' | 'id' }>>;
  /** The output whose value get_resource gives, when not the child stack's id. */
  readonly ref?: string;
}

/** A type whose resource is a stack of its own (runs.where 'stack'): it only says what the child is. */
export interface NestedStackHooks {
  /**
   * The template the planner reads and checks before anything runs: a file to read (TemplateURL), or the
   * template given inline (OS::Heat::Stack's `template`, get_file already read). Absent: the child is made at run time.
   */
  source?(properties: JsonObject): { readonly file: string } | { readonly template: string | JsonObject } | undefined;
  child(req: NestedChildRequest): NestedChild;
  /** The child is a share of its parent's resources (a large group's part), not a level of nesting: it does not count in the depth limit. */
  readonly shareOfParent?: boolean;
}

/** One resource type: Heat's properties_schema, attributes_schema, support_status and handle_* in one place. */
export interface ResourceType {
  readonly name: string;
  readonly description: string;
  readonly properties: Readonly<Record<string, PropertySchema>>;
  readonly attributes: Readonly<Record<string, AttributeSchema>>;
  /** @default { status: 'SUPPORTED' } */
  readonly supportStatus?: SupportStatus;
  /** Types like OS::Heat::None take any property at all. */
  readonly anyProperties?: boolean;
  /** Types like OS::Heat::SoftwareDeployment also have attributes named by the template (a config's outputs). */
  readonly dynamicAttributes?: boolean;
  /**
   * Checks across properties that one property's schema cannot express. Values still waiting for other
   * resources are skipped here and checked again when the resource is created.
   */
  readonly validate?: (properties: JsonObject) => { readonly path: string; readonly message: string }[];
  /** Set on a type that is another's older spelling: it has no handler or run profile of its own. */
  readonly aliasOf?: TypeAlias;
  /** How the engine runs it; required unless the type is an alias. */
  readonly runs?: RunProfile;
  /** Its lifecycle; absent for types run by the workflow itself (runs.where 'workflow' or 'stack') and for aliases. */
  readonly handler?: ResourceHandler;
  /** The child stack of a type that runs.where 'stack'. */
  readonly nested?: NestedStackHooks;
  /**
   * A volume attachment (Heat's VolumeAttachment): the properties that name its server and its volume (each a
   * reference to a resource of the stack) and where it is mounted. The planner hands the server the mount.
   */
  readonly attaches?: { readonly server: string; readonly volume: string; readonly mountpoint: string };
  /**
   * A server's own list of volumes to attach (AWS::EC2::Instance's Volumes): each item of `property` names a
   * volume of the stack (key `volume`) and where it goes (key `mountpoint`), mounted as an attachment's would be.
   */
  readonly mountsOwn?: { readonly property: string; readonly volume: string; readonly mountpoint: string };
  /** What a type is to attachments: a server mounts volumes from its boot on; a volume is what is mounted. */
  readonly mountRole?: 'server' | 'volume';
  /** deletion_policy Snapshot keeps the resource (a volume: a local engine takes no snapshots, the kept volume stands for one). */
  readonly snapshotKeeps?: boolean;
}
