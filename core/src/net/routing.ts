import { Heap } from 'heap-js';
import type { GmlEdge, NetworkGraph } from '../config/types.js';

/** What a packet meets between two graph nodes: total latency and the chance of being lost. */
export interface PathProperties {
  /** Nanoseconds: the sum of the edges' latencies. */
  readonly latency: bigint;
  /** In [0, 1]: 1 - Π(1 - p) over the edges. */
  readonly loss: number;
}

/** Shadow's `PathProperties::add`: latencies add, reliabilities multiply. */
function compose(a: PathProperties, b: PathProperties): PathProperties {
  return { latency: a.latency + b.latency, loss: 1 - (1 - a.loss) * (1 - b.loss) };
}

/** Shortest first: lower latency, then lower loss (Shadow's tie-break). */
function better(a: PathProperties, b: PathProperties): boolean {
  return a.latency !== b.latency ? a.latency < b.latency : a.loss < b.loss;
}

const edgeProps = (e: GmlEdge): PathProperties => ({ latency: e.latency, loss: e.packetLoss });

/** Paths between the graph nodes hosts use, keyed `source->target`. */
export class RoutingTable {
  private readonly paths = new Map<string, PathProperties>();

  /**
   * Computes the path between every ordered pair of `nodes` (the nodes hosts sit on). With
   * `useShortestPath`, Dijkstra over latency (ties: lower loss); otherwise the direct edge (config
   * validation guarantees exactly one). A node to itself always uses its self-loop. Undirected
   * graphs use each edge both ways. Throws when a pair has no path.
   */
  constructor(graph: NetworkGraph, nodes: Iterable<number>, useShortestPath: boolean) {
    const used = [...new Set(nodes)].sort((a, b) => a - b);
    // Adjacency without self-loops (they never shorten a path), best edge per ordered pair.
    const adjacency = new Map<number, Map<number, PathProperties>>();
    const selfLoops = new Map<number, PathProperties>();
    const addArc = (from: number, to: number, props: PathProperties): void => {
      let out = adjacency.get(from);
      if (!out) adjacency.set(from, (out = new Map()));
      const old = out.get(to);
      if (!old || better(props, old)) out.set(to, props);
    };
    for (const edge of graph.edges) {
      const props = edgeProps(edge);
      if (edge.source === edge.target) {
        const old = selfLoops.get(edge.source);
        if (!old || better(props, old)) selfLoops.set(edge.source, props);
        continue;
      }
      addArc(edge.source, edge.target, props);
      if (!graph.directed) addArc(edge.target, edge.source, props);
    }

    for (const source of used) {
      const reached = useShortestPath ? dijkstra(adjacency, source) : (adjacency.get(source) ?? new Map());
      for (const target of used) {
        const path = source === target ? selfLoops.get(source) : reached.get(target);
        if (!path) {
          const why = source === target ? 'no self-loop edge' : useShortestPath ? 'no path' : 'no direct edge';
          throw new Error(`network graph: ${why} from node ${source} to node ${target}`);
        }
        this.paths.set(`${source}->${target}`, path);
      }
    }
  }

  /** The path from node `source` to node `target` (both among the nodes given to the constructor). */
  path(source: number, target: number): PathProperties {
    const path = this.paths.get(`${source}->${target}`);
    if (!path) throw new Error(`no route computed from node ${source} to node ${target}`);
    return path;
  }
}

/** Best path from `source` to every reachable node (lexicographic latency, loss), with a binary heap. */
function dijkstra(adjacency: ReadonlyMap<number, ReadonlyMap<number, PathProperties>>, source: number): Map<number, PathProperties> {
  type Entry = { readonly node: number; readonly props: PathProperties };
  const heap = new Heap<Entry>((a, b) =>
    better(a.props, b.props) ? -1 : better(b.props, a.props) ? 1 : a.node - b.node,
  );
  const best = new Map<number, PathProperties>([[source, { latency: 0n, loss: 0 }]]);
  const done = new Set<number>();
  heap.push({ node: source, props: best.get(source)! });
  for (let entry = heap.pop(); entry; entry = heap.pop()) {
    if (done.has(entry.node)) continue; // a stale entry: the node was settled by a better path
    done.add(entry.node);
    for (const [next, edge] of adjacency.get(entry.node) ?? []) {
      if (done.has(next)) continue;
      const candidate = compose(entry.props, edge);
      const old = best.get(next);
      if (!old || better(candidate, old)) {
        best.set(next, candidate);
        heap.push({ node: next, props: candidate });
      }
    }
  }
  best.delete(source);
  return best;
}
