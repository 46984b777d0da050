import type { StrategyFactory, StrategyHost, StrategyOptions, StrategyRegistry } from '@shadow-ts/plugin-sdk';
import { ShadowError } from './errors.js';

/** What one host got: the name chosen for it and its instances (the chosen one first). */
interface HostChoice<Instance> {
  readonly host: StrategyHost;
  readonly name: string;
  readonly instances: Map<string, Instance>;
}

/**
 * The kernel's registry of one kind of strategy (vfork, congestion control, file system): factories that
 * plugins register, and for each host the instance created from its settings when the run starts.
 */
export class Strategies<Instance> implements StrategyRegistry<Instance> {
  private readonly factories = new Map<string, StrategyFactory<Instance>>();
  private readonly hosts = new Map<string, HostChoice<Instance>>();

  constructor(
    private readonly kind: string,
    /** The strategy a host gets when nothing chooses one. */
    readonly defaultName: string,
  ) {}

  register(factory: StrategyFactory<Instance>): void {
    if (this.factories.has(factory.name)) throw new Error(`${this.kind} strategy "${factory.name}" is already registered`);
    this.factories.set(factory.name, factory);
  }

  get(name: string): StrategyFactory<Instance> | undefined {
    return this.factories.get(name);
  }

  names(): string[] {
    return [...this.factories.keys()];
  }

  /** The factory called `name`; throws, listing the registered names, naming `key` (the setting). */
  factory(name: string, key: string): StrategyFactory<Instance> {
    const factory = this.factories.get(name);
    if (factory) return factory;
    throw new ShadowError(
      'STRATEGY_UNKNOWN',
      `${key}: unknown ${this.kind} strategy "${name}"; registered strategies: ${this.names().join(', ')}`,
    );
  }

  /**
   * Creates `host`'s instance of strategy `name` with `options`, the one it uses for the whole
   * run. A bad name or options throw a one-line error that names `key`, the setting that chose it.
   */
  choose(host: StrategyHost, name: string, options: StrategyOptions, key: string): void {
    const factory = this.factory(name, key);
    let instance: Instance;
    try {
      instance = factory.create(options, host);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ShadowError('STRATEGY_OPTIONS_INVALID', `${key}: ${name}: ${reason}`, { strategy: name, host: host.name });
    }
    this.hosts.set(host.name, { host, name, instances: new Map([[name, instance]]) });
  }

  chosen(host: string): string {
    return this.choice(host).name;
  }

  instance(host: string): Instance {
    const choice = this.choice(host);
    return choice.instances.get(choice.name)!;
  }

  instanceOf(host: string, name: string): Instance | undefined {
    const choice = this.choice(host);
    let instance = choice.instances.get(name);
    if (instance === undefined) {
      const factory = this.factories.get(name);
      if (!factory) return undefined;
      instance = factory.create({}, choice.host);
      choice.instances.set(name, instance);
    }
    return instance;
  }

  private choice(host: string): HostChoice<Instance> {
    const choice = this.hosts.get(host);
    if (!choice) throw new Error(`no ${this.kind} strategy was chosen for host "${host}"`);
    return choice;
  }
}
