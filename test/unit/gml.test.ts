import { expect } from 'chai';
import {
  buildGraph, GmlError, ONE_GBIT_SWITCH_GML, oneGbitSwitchGraph, parseGml, parseNetworkGraph,
} from '../../core/src/config/index.js';

/** Runs `fn`, expecting a GmlError; returns it. */
function gmlError(fn: () => unknown): GmlError {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(GmlError);
    return e as GmlError;
  }
  return expect.fail('expected a GmlError');
}

const graphError = (text: string) => gmlError(() => parseNetworkGraph(text));

// Shadow's documented example (Shadow's docs/network_graph_spec.md).
const SPEC_EXAMPLE = `graph [
  directed 0
  node [
    id 0
    label "node at 1.2.3.4"
    host_bandwidth_down "100 Mbit"
    host_bandwidth_up "100 Mbit"
  ]
  edge [
    source 0
    target 0
    label "path"
    latency "10 ms"
    jitter "0 ms"
    packet_loss 0.0
  ]
]`;

describe('config GML', () => {
  describe('parseGml', () => {
    it('parses Shadow\'s documented example', () => {
      const g = parseNetworkGraph(SPEC_EXAMPLE);
      expect(g.directed).to.equal(false);
      expect(g.nodes).to.deep.equal([
        { id: 0, label: 'node at 1.2.3.4', bandwidthDown: 100_000_000n, bandwidthUp: 100_000_000n },
      ]);
      expect(g.edges).to.deep.equal([
        { source: 0, target: 0, label: 'path', latency: 10_000_000n, jitter: 0n, packetLoss: 0 },
      ]);
    });

    it('accepts condensed one-line blocks and the canonical config example', () => {
      const g = parseNetworkGraph(`graph [
        node [ id 0  host_bandwidth_down "140 Mbit"  host_bandwidth_up "18 Mbit" ]
        edge [ source 0  target 0  latency "50 ms"  packet_loss 0.01 ]
      ]`);
      expect(g.nodes[0]!.bandwidthUp).to.equal(18_000_000n);
      expect(g.edges[0]!.packetLoss).to.equal(0.01);
      expect(g.edges[0]!.latency).to.equal(50_000_000n);
    });

    it('reads ints, floats, escaped strings and other top-level keys', () => {
      const doc = parseGml('graph [\n label "a \\"q\\" \\\\ b"\n weight 1.5e-3\n count 42\n directed 1\n]\n');
      expect(doc.directed).to.equal(true);
      expect(doc.attrs.get('label')!.value).to.deep.equal({ kind: 'string', value: 'a "q" \\ b' });
      expect(doc.attrs.get('weight')!.value).to.deep.equal({ kind: 'float', value: 0.0015 });
      expect(doc.attrs.get('count')!.value).to.deep.equal({ kind: 'int', value: 42 });
      expect(doc.attrs.get('count')!.pos).to.deep.equal({ line: 4, column: 2 });
    });

    it('rejects # comments, naming line and column', () => {
      const e = gmlError(() => parseGml('graph [\n  # a comment\n]'));
      expect([e.line, e.column]).to.deep.equal([2, 3]);
      expect(e.message).to.equal('line 2, column 3: unexpected character \'#\' (GML has no comments)');
    });

    it('rejects other unknown characters, bad strings and malformed structure', () => {
      expect(gmlError(() => parseGml('graph [ a { ]')).message).to.match(/^line 1, column 11: unexpected character "\{"/);
      expect(gmlError(() => parseGml('graph [\n a "open\n]')).message).to.match(/^line 2, column 4: unterminated string/);
      expect(gmlError(() => parseGml('graph [ a "x\\n" ]')).message).to.match(/invalid escape/);
      expect(gmlError(() => parseGml('graph [ id 0x ]')).message).to.match(/line 1, column 13: expected whitespace after a value/);
      expect(gmlError(() => parseGml('node [ id 0 ]')).message).to.match(/expected "graph \["/);
      expect(gmlError(() => parseGml('graph [ node [ id 0 ]')).message).to.match(/expected a key or '\]' to close the graph, found the end/);
      expect(gmlError(() => parseGml('graph [ ] extra')).message).to.match(/expected nothing after/);
      expect(gmlError(() => parseGml('graph [ a ]')).message).to.match(/expected a value \(number or "string"\) for "a"/);
      expect(gmlError(() => parseGml('graph [ graphics [ x 1 ] ]')).message).to.match(/"graphics \[" is not supported/);
      expect(gmlError(() => parseGml('graph [ node [ id 0 inner [ ] ] ]')).message).to.match(/"inner \[" is not supported/);
    });

    it('rejects duplicate keys and a bad or repeated "directed"', () => {
      expect(gmlError(() => parseGml('graph [ node [ id 0 id 1 ] ]')).message).to.match(/duplicate key "id" in the node block/);
      expect(gmlError(() => parseGml('graph [ directed 0 directed 1 ]')).message).to.match(/duplicate key "directed"/);
      expect(gmlError(() => parseGml('graph [ directed 2 ]')).message).to.match(/"directed" must be 0 or 1/);
    });
  });

  describe('buildGraph', () => {
    const node = (id: number) => `node [ id ${id} host_bandwidth_up "1 Mbit" host_bandwidth_down "1 Mbit" ]`;
    const edge = (s: number, t: number, extra = 'latency "1 ms"') => `edge [ source ${s} target ${t} ${extra} ]`;
    const g = (...items: string[]) => `graph [\n${items.join('\n')}\n]`;

    it('defaults jitter to 0 and packet_loss to 0, reads a bare latency as seconds', () => {
      const net = parseNetworkGraph(g(node(0), edge(0, 0, 'latency 2')));
      expect(net.edges[0]).to.deep.equal({ source: 0, target: 0, latency: 2_000_000_000n, jitter: 0n, packetLoss: 0 });
    });

    it('builds a connected two-node graph', () => {
      const net = parseNetworkGraph(g(node(0), node(1), edge(0, 0), edge(1, 1), edge(0, 1, 'latency "20 ms" packet_loss 0.5')));
      expect(net.nodes.map((n) => n.id)).to.deep.equal([0, 1]);
      expect(net.edges[2]!.packetLoss).to.equal(0.5);
    });

    it('requires node ids that are unique non-negative ints', () => {
      expect(graphError(g('node [ label "x" ]', edge(0, 0))).message).to.match(/^line 2, column 1: node has no "id"/);
      expect(graphError(g(node(0), node(0), edge(0, 0))).message).to.match(/^line 3, column 8: duplicate node id 0 \(first at line 2\)/);
      expect(graphError(g('node [ id -1 ]')).message).to.match(/"id" must be an integer 0\.\.4294967295/);
      expect(graphError(g('node [ id "0" ]')).message).to.match(/"id" must be an integer/);
      expect(graphError(g('node [ id 1.5 ]')).message).to.match(/"id" must be an integer/);
    });

    it('requires edges between existing nodes', () => {
      expect(graphError(g(node(0), edge(0, 0), edge(0, 7))).message).to.match(/^line 4, .*edge target 7 is not a node of the graph/);
      expect(graphError(g(node(0), 'edge [ target 0 latency "1 ms" ]')).message).to.match(/edge has no "source"/);
    });

    it('requires a latency greater than 0', () => {
      expect(graphError(g(node(0), edge(0, 0, ''))).message).to.match(/edge 0 -> 0 has no "latency"/);
      expect(graphError(g(node(0), edge(0, 0, 'latency "0 ms"'))).message).to.match(/"latency" must be greater than 0/);
      expect(graphError(g(node(0), edge(0, 0, 'latency "10 parsecs"'))).message).to.match(/"latency": expected a time like "10 s"/);
      expect(graphError(g(node(0), edge(0, 0, 'latency 0.5'))).message).to.match(/"latency" must be a string with a unit/);
    });

    it('requires packet_loss in [0, 1]', () => {
      expect(graphError(g(node(0), edge(0, 0, 'latency "1 ms" packet_loss 1.5'))).message).to.match(/"packet_loss" must be a number in \[0, 1\]/);
      expect(graphError(g(node(0), edge(0, 0, 'latency "1 ms" packet_loss -0.1'))).message).to.match(/packet_loss/);
      expect(graphError(g(node(0), edge(0, 0, 'latency "1 ms" packet_loss "0.1"'))).message).to.match(/packet_loss/);
      expect(parseNetworkGraph(g(node(0), edge(0, 0, 'latency "1 ms" packet_loss 1'))).edges[0]!.packetLoss).to.equal(1);
    });

    it('requires bandwidths with bandwidth units', () => {
      expect(graphError(g('node [ id 0 host_bandwidth_up "30 bit" ]', edge(0, 0))).message).to.match(/"host_bandwidth_up": expected a bandwidth that is a whole number of bytes/);
      expect(graphError(g('node [ id 0 host_bandwidth_down "1 GB" ]', edge(0, 0))).message).to.match(/"host_bandwidth_down": expected a bandwidth/);
      expect(parseNetworkGraph(g('node [ id 0 ]', edge(0, 0))).nodes[0]).to.deep.equal({ id: 0 });
    });

    it('requires exactly one self-loop on every node', () => {
      const e = graphError(g(node(0), node(1), edge(0, 0), edge(0, 1)));
      expect(e.line).to.equal(3);
      expect(e.message).to.match(/node 1 has no self-loop edge/);
      expect(graphError(g(node(0), edge(0, 0), edge(0, 0))).message).to.match(/^line 4, .*more than one self-loop/);
    });

    it('requires an undirected graph to be connected', () => {
      expect(graphError(g(node(0), node(1), edge(0, 0), edge(1, 1))).message).to.match(/^line 3, .*must be connected, but node 1 is not connected to node 0/);
      // Undirected: one edge connects both ways, whichever way it is written.
      expect(parseNetworkGraph(g(node(0), node(1), edge(0, 0), edge(1, 1), edge(1, 0))).nodes).to.have.length(2);
    });

    it('requires a directed graph to be strongly connected', () => {
      const one = g('directed 1', node(0), node(1), edge(0, 0), edge(1, 1), edge(0, 1));
      expect(graphError(one).message).to.match(/node 0 cannot be reached from node 1/);
      const both = g('directed 1', node(0), node(1), edge(0, 0), edge(1, 1), edge(0, 1), edge(1, 0));
      expect(parseNetworkGraph(both).directed).to.equal(true);
    });

    it('rejects a graph with no nodes', () => {
      expect(gmlError(() => buildGraph(parseGml('graph [\n]'))).message).to.match(/the graph has no nodes/);
    });
  });

  it('provides the built-in 1_gbit_switch graph', () => {
    expect(ONE_GBIT_SWITCH_GML).to.match(/^graph \[/);
    expect(oneGbitSwitchGraph()).to.deep.equal({
      directed: false,
      nodes: [{ id: 0, bandwidthUp: 1_000_000_000n, bandwidthDown: 1_000_000_000n }],
      edges: [{ source: 0, target: 0, latency: 1_000_000n, jitter: 0n, packetLoss: 0 }],
    });
  });
});
