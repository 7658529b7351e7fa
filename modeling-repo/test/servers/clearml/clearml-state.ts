import { randomBytes } from 'node:crypto';

/** A request the schema accepts but the server's rules refuse (unknown id, wrong status). */
export class StateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateError';
  }
}

export interface TaskRecord {
  readonly id: string;
  readonly name: string;
  readonly project: string | undefined;
  status: string;
  hyperparams: unknown[];
  configuration: unknown[];
  scalars: number;
  outputModel: string | undefined;
}

type Body = Record<string, unknown>;

const newId = (): string => randomBytes(16).toString('hex');

/** Which status a transition needs; `force` skips the check, as on the real server. */
const TRANSITIONS: Record<string, { from: readonly string[]; to: string }> = {
  'tasks.started': { from: ['created', 'queued'], to: 'in_progress' },
  'tasks.completed': { from: ['in_progress', 'stopped'], to: 'completed' },
  'tasks.failed': { from: ['created', 'queued', 'in_progress', 'stopped'], to: 'failed' },
  'tasks.stopped': { from: ['stopped'], to: 'stopped' },
};

/** Projects, tasks, models and files of the test server, with the rules a real server enforces. */
export class ClearMLState {
  readonly projects = new Map<string, string>();
  readonly tasks = new Map<string, TaskRecord>();
  readonly models = new Map<string, Body>();
  readonly files = new Map<string, Buffer>();

  private task(id: unknown): TaskRecord {
    const task = typeof id === 'string' ? this.tasks.get(id) : undefined;
    if (task === undefined) throw new StateError(`Invalid task id (id=${String(id)})`);
    return task;
  }

  /** Editing a started task needs `force`, as the real server requires. */
  private editable(body: Body): TaskRecord {
    const task = this.task(body.task);
    if (task.status !== 'created' && body.force !== true) throw new StateError(`Task is not in created state, use force to edit (status=${task.status})`);
    return task;
  }

  apply(endpoint: string, body: unknown): Record<string, unknown> {
    const request = body as Body;
    switch (endpoint) {
      case 'projects.get_all_ex': {
        const pattern = typeof request.name === 'string' ? new RegExp(request.name) : undefined;
        const found = [...this.projects].filter(([name]) => pattern?.test(name) ?? true).map(([name, id]) => ({ id, name }));
        return { projects: found };
      }
      case 'projects.create': return this.createProject(request);
      case 'tasks.create': return this.createTask(request);
      case 'tasks.edit_hyper_params':
        this.editable(request).hyperparams = request.hyperparams as unknown[];
        return { updated: 1 };
      case 'tasks.edit_configuration':
        this.editable(request).configuration = request.configuration as unknown[];
        return { updated: 1 };
      case 'events.add_batch': return this.addEvents(body as Body[]);
      case 'models.create': return this.createModel(request);
      case 'models.update_for_task': return this.updateForTask(request);
      default: return this.transition(endpoint, request);
    }
  }

  private createProject(request: Body): Record<string, unknown> {
    const name = request.name as string;
    if (this.projects.has(name)) throw new StateError(`Project with the same name already exists (name=${name})`);
    const id = newId();
    this.projects.set(name, id);
    return { id };
  }

  private createTask(request: Body): Record<string, unknown> {
    const project = request.project as string | undefined;
    if (project !== undefined && ![...this.projects.values()].includes(project)) throw new StateError(`Invalid project id (id=${project})`);
    const id = newId();
    this.tasks.set(id, { id, name: request.name as string, project, status: 'created', hyperparams: [], configuration: [], scalars: 0, outputModel: undefined });
    return { id };
  }

  private addEvents(events: Body[]): Record<string, unknown> {
    for (const event of events) this.task(event.task).scalars += 1;
    return { added: events.length, errors: 0, errors_info: {} };
  }

  private createModel(request: Body): Record<string, unknown> {
    if (request.task !== undefined) this.task(request.task);
    const id = newId();
    this.models.set(id, request);
    return { id, created: true };
  }

  private updateForTask(request: Body): Record<string, unknown> {
    const task = this.task(request.task);
    const modelId = request.override_model_id as string | undefined;
    if (modelId !== undefined && !this.models.has(modelId)) throw new StateError(`Invalid model id (id=${modelId})`);
    const id = modelId ?? newId();
    task.outputModel = id;
    return { id, created: modelId === undefined, updated: 1, fields: {} };
  }

  private transition(endpoint: string, request: Body): Record<string, unknown> {
    const rule = TRANSITIONS[endpoint];
    if (rule === undefined) throw new StateError(`${endpoint} is not implemented by the test server`);
    const task = this.task(request.task);
    if (!rule.from.includes(task.status) && request.force !== true) {
      throw new StateError(`Invalid task status (Invalid status change: current=${task.status}, new=${rule.to})`);
    }
    task.status = rule.to;
    return { updated: 1, fields: { status: rule.to }, ...(endpoint === 'tasks.started' ? { started: 1 } : {}) };
  }
}
