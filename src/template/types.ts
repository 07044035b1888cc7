/**
 * Plain data shared by the CLI, the workflows and the activities. Nothing here may import Node: the
 * workflow sandbox loads this file.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export type TemplateFormat = 'hot' | 'cfn';

/**
 * How the engine runs a type's lifecycle. Carried by the plan and the stack's state for each resource,
 * so the workflows decide by data, never by type name. Defined by each type (src/resources).
 */
export interface RunProfile {
  /**
   * `none`: nothing to run at all (a placeholder, OS::Heat::None): the workflow itself marks it made, changed or
   * deleted, with no activity, so a stack of thousands of placeholders costs no worker slot or server round trip;
   * `workflow`: no side effect at all, run by the workflow itself on signals and timers (wait conditions);
   * `local`: a local activity, for handlers that touch nothing outside the worker (a CSPRNG draw);
   * `activity`: an ordinary activity, for everything that talks to an engine;
   * `stack`: a stack of its own (Heat's StackResource: template resources, OS::Heat::Stack, groups), run as a
   * child workflow with its own history.
   */
  readonly where: 'none' | 'workflow' | 'local' | 'activity' | 'stack';
  /** Sends heartbeats while a handler runs, so a lost worker or a cancel reaches it within the heartbeat timeout. */
  readonly heartbeat?: boolean;
  /**
   * `local`: the delete of a type that runs as an ordinary activity runs as a local activity: a few short engine
   * calls (a stop within its grace period, a remove) with nothing to heartbeat, where two round trips through
   * the server per resource cost more than the calls themselves.
   */
  readonly deletes?: 'local';
  /**
   * `local`: the create of a type that runs as an ordinary activity runs first as a local activity, which does
   * the quick part (a create and a start) and fails with HAND_OVER where it would wait (a pull, a health check):
   * the workflow then runs the create again as an ordinary activity, whose handler adopts what was made. So it
   * does after any failure a retry may get past: the ordinary activity's retries, with backoff, report it.
   */
  readonly creates?: 'local';
  /**
   * What the workflow hands the handler besides the resource's own properties: `siblings` gives the
   * resources this one requires (physical id, attributes, properties); `addresses` the fixed IPs the
   * stack's resources hold already.
   */
  readonly needs?: readonly ('siblings' | 'addresses')[];
  /** The type's part in signals: a handle takes them, a condition waits for them, a scaling policy's signal scales its group. */
  readonly signals?: 'handle' | 'condition' | 'scale';
  /**
   * The properties the type's update hook changes in place, filled in by the planner from the schema's
   * `updateAllowed`; absent when the type has no update hook, so that any change replaces the resource.
   */
  readonly updatable?: readonly string[];
  /**
   * The handler tells copies of one resource apart by the request's `copy` (a label, and the default name
   * of what it makes), so a stack update makes the new copy before it deletes the old one.
   */
  readonly copies?: boolean;
  /**
   * The properties two copies cannot both hold at once (a fixed container name, a host port), filled in by
   * the planner from the schema's `exclusive`: when both copies set one, the old copy is deleted first.
   * `networks.fixed_ip` stands for the `fixed_ip` of any item of the `networks` list.
   */
  readonly exclusive?: readonly string[];
}

/** The failure type of a local create that hands the rest of its work to an ordinary activity (RunProfile.creates). */
export const HAND_OVER = 'HandOverToActivity';

/**
 * A volume a server mounts from its boot on, because a volume attachment of the stack names the two: Docker
 * adds no mount to a running container, so the planner hands the server what its attachments ask for.
 */
export interface VolumeMount {
  /** The attachment resource that asks for the mount. */
  readonly attachment: string;
  /** The volume resource: the server requires it, and its physical id is the engine's volume. */
  readonly volume: string;
  /** Where the volume appears in the server; '' lets the server choose (Nova's /dev/disk/by-id/virtio-<id>). */
  readonly mountpoint: string;
}

/** A resource as the engine runs it: parameters already substituted, references to other resources kept. */
export interface PlannedResource {
  /** The type as the template names it (after the environment's registry): what the stack shows. */
  readonly type: string;
  /** The type whose handler runs: `type` itself, or the type an alias stands for. */
  readonly handler: string;
  readonly runs: RunProfile;
  /** Property values; functions that need other resources (get_attr, get_resource…) stay unevaluated. */
  readonly properties: JsonObject;
  /** Every resource this one waits for: depends_on plus the resources its properties refer to. */
  readonly requires: string[];
  /** The attributes of this resource that the template reads, so the create activity returns only those. */
  readonly attributes: string[];
  /** @default 'Delete' */
  readonly deletionPolicy: 'Delete' | 'Retain';
  /** The resource's metadata section, resolved like its properties. */
  readonly metadata?: JsonObject;
  /** Kept for stack updates (Heat's update_policy). */
  readonly updatePolicy?: JsonObject;
  /** A server's volumes, from the attachments that name it: a change of them replaces the server. */
  readonly mounts?: readonly VolumeMount[];
  /** What a nested stack's resource (runs.where 'stack') is planned from when it is made. */
  readonly nested?: NestedSource;
  /**
   * Heat's external_id: the physical id of an object made outside the stack, which the create takes over
   * (the type's adopt) instead of making one, and which no delete removes.
   */
  readonly externalId?: string;
}

/**
 * What the planner read for a nested stack, so that the worker plans the child with no disk of its own: the
 * template the type names (a template file, TemplateURL, OS::Heat::Stack's template), every file the child and
 * its own children read, by the names they read them by, and what the child inherits of the parent's environment.
 */
export interface NestedSource {
  readonly template?: SourceFile;
  readonly files: Readonly<Record<string, string>>;
  readonly environment: JsonObject;
}

/** What the CLI hands a create workflow: a validated template reduced to JSON. */
export interface StackPlan {
  readonly name: string;
  readonly format: TemplateFormat;
  /** The template version (versions.ts `versionKey`); absent in plans made before versions were tracked. */
  readonly version?: string;
  readonly resources: Record<string, PlannedResource>;
  /** `error`: why an output has no value, known from the template alone (a reference to no resource). */
  readonly outputs: Record<string, { value: Json; description?: string; error?: string }>;
  /** @default 60 */
  readonly timeoutMinutes: number;
  /** @default false */
  readonly disableRollback: boolean;
  /** Values of hidden parameters, as text: masked wherever a person reads (see `redactState`). */
  readonly hiddenValues?: string[];
  /** The engine the stack's containers go to, pinned by its creator (`--engine`) or by its parent stack's placement. */
  readonly engine?: string;
}

/** Heat's status vocabulary, for stacks (`stack_status`) and for each resource. */
export type StackStatus =
  | 'INIT_COMPLETE'
  | 'CREATE_IN_PROGRESS'
  | 'CREATE_COMPLETE'
  | 'CREATE_FAILED'
  | 'ROLLBACK_IN_PROGRESS'
  | 'ROLLBACK_COMPLETE'
  | 'ROLLBACK_FAILED'
  | 'DELETE_IN_PROGRESS'
  | 'DELETE_COMPLETE'
  | 'DELETE_FAILED'
  | 'UPDATE_IN_PROGRESS'
  | 'UPDATE_COMPLETE'
  | 'UPDATE_FAILED'
  | 'CHECK_IN_PROGRESS'
  | 'CHECK_COMPLETE'
  | 'CHECK_FAILED'
  | 'SUSPEND_IN_PROGRESS'
  | 'SUSPEND_COMPLETE'
  | 'SUSPEND_FAILED'
  | 'RESUME_IN_PROGRESS'
  | 'RESUME_COMPLETE'
  | 'RESUME_FAILED'
  | 'ADOPT_IN_PROGRESS'
  | 'ADOPT_COMPLETE'
  | 'ADOPT_FAILED'
  | 'SIGNAL_IN_PROGRESS'
  | 'SIGNAL_COMPLETE'
  | 'SIGNAL_FAILED';

export interface ResourceState {
  readonly type: string;
  /** As in PlannedResource; absent in stacks created before plans carried them. */
  readonly handler?: string;
  readonly runs?: RunProfile;
  status: StackStatus;
  statusReason: string;
  /** Heat's physical_resource_id: a container id, a generated value's name… '' until created. */
  physicalId: string;
  /** What get_resource/Ref returns when it is not the physical id (a CFN wait handle's URL, a random string's value). */
  refId?: string;
  /** Which copy of the resource this is, for a type that `runs.copies`: absent on the first copy a create makes. */
  readonly copy?: string;
  attributes: JsonObject;
  /** Kept so a later delete can find the Docker endpoint and order the deletes without the template. */
  readonly requires: string[];
  readonly deletionPolicy: 'Delete' | 'Retain';
  /** As in PlannedResource: kept so that a delete leaves the object in place and an update sees a change of it. */
  readonly externalId?: string;
  properties: JsonObject;
  /** As in PlannedResource: the volumes the server was booted with. */
  readonly mounts?: readonly VolumeMount[];
  updatedAt: string;
  /** A wait condition handle's signals by their id (Heat keeps them as the handle's metadata). */
  signals?: Record<string, ReceivedSignal>;
  /** While a wait condition waits: when it times out (ISO time), so readers can show the time left. */
  waitUntil?: string;
}

/** One signal as a wait condition handle keeps it. */
export interface ReceivedSignal {
  readonly status: 'SUCCESS' | 'FAILURE';
  readonly reason: string;
  readonly data: Json;
}

/** The stack as a workflow knows it; returned by the status query and as every workflow's outcome. */
export interface StackState {
  readonly name: string;
  /** Unique per create, labels every Docker object so a re-created stack of the same name never adopts old ones. */
  readonly id: string;
  status: StackStatus;
  statusReason: string;
  resources: Record<string, ResourceState>;
  outputs: Record<string, { value: Json; description?: string; error?: string }>;
  createdAt: string;
  updatedAt: string;
  /**
   * The plan's hidden values, carried from action to action so readers can mask them: the state itself
   * holds real values, since activities and later actions work from it. `redactState` drops it.
   */
  readonly hiddenValues?: string[];
  /** Set on a nested stack: the stack and resource it belongs to. */
  readonly parent?: NestedIn;
  /**
   * The engine the stack was placed on, when the worker has several (STOKE_DOCKER_ENGINES): every resource
   * that names no docker_endpoint lives there, for every later action too.
   */
  engine?: string;
}

/** Where a nested stack sits: its parent, the parent's resource it is, how deep, and the root stack above all. */
export interface NestedIn {
  readonly name: string;
  readonly id: string;
  readonly resource: string;
  /** 1 for a child of a root stack. */
  readonly depth: number;
  readonly root: { readonly name: string; readonly id: string };
}

/** A file of a stack's source, by the name it was given as (for messages) and its text. */
export interface SourceFile {
  readonly name: string;
  readonly text: string;
}

/**
 * What a stack's plan was made from, kept in its create and update inputs (Temporal is the only store) so
 * that `stack update --existing` can plan again from it, as Heat keeps a stack's template, environment and files.
 */
export interface StackSource {
  readonly template: SourceFile;
  /** In the order they were merged. */
  readonly environments: readonly SourceFile[];
  /** What get_file and template resources read, by the name they read it by. */
  readonly files: Readonly<Record<string, string>>;
  /** The `--parameter` values given. */
  readonly parameters: Readonly<Record<string, string>>;
}
