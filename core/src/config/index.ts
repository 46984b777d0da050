/**
 * The configuration layer: Shadow's simulation file, units and GML network graphs.
 */

export * from './types.js';
export { ConfigError, formatKeyPath, type KeySegment } from './errors.js';
export {
  UnitError, type UnitInput, parseTime, parseBandwidth, parseBytes, parseSignal, signalName, formatTime,
} from './units.js';
export {
  GmlError, type GmlPos, type GmlValue, type GmlAttr, type GmlBlock, type GmlDocument,
  parseGml, buildGraph, parseNetworkGraph, ONE_GBIT_SWITCH_GML, oneGbitSwitchGraph,
} from './gml.js';
export { loadSimulationConfig } from './simulation.js';
export { splitShellWords } from './hosts.js';
