/**
 * @shadow-ts/plugin-sdk: everything a syscall plugin may use. Built-in plugins import this
 * package only, so third-party plugins get exactly their power.
 */
export { API_VERSION, definePlugin } from './plugin.js';
export type { Plugin, PluginKernel, PluginMeta } from './plugin.js';
export { createKernelHooks, isSyscallName, SyscallHookMap } from './hooks.js';
/** tapable's hooks, for the api a plugin provides others (PluginKernel.provide). */
export { SyncBailHook, SyncHook } from 'tapable';
export type { KernelHooks, SyscallHook } from './hooks.js';
export { block, clone, errno, native, ok, rewrite, runCalls } from './result.js';
export type { CallStep, CloneRequest, NativeCall, ResultMapper, SyscallResult } from './result.js';
export { WaitQueue, anyOf, waitFor } from './wait.js';
export type { Trigger, WaitCondition, WakeReason } from './wait.js';
export { callDeadline, callSlot } from './context.js';
export type {
  CallSlot,
  CallState,
  CloneEvent,
  ExecEvent,
  ProcessExit,
  HostView,
  PluginLogger,
  ProcessView,
  RandomSource,
  SignalSource,
  SyscallArgs,
  SyscallContext,
  ThreadView,
  TraceeMemory,
} from './context.js';
export { Errno, Signal, errnoName } from './errno.js';
export { NS_PER_MS, NS_PER_SEC, NS_PER_US, SIM_START } from './time.js';
export type { SimTime } from './time.js';
export { SYSCALL_NUMBERS } from './syscalls.js';
export type { SyscallName } from './syscalls.js';
export { SYSCALL_SIGNATURES } from './syscall-signatures.js';
export type { ArgKind, SyscallSignature } from './syscall-signatures.js';
export { MAX_RW_COUNT, TASK_SIZE, readDuration, readTimespec, timespecBytes, timevalBytes } from './abi-structs.js';
export { O, OpenFile, POLL, POLL_READ, POLL_WRITE, S_IF, installDescriptors, newDescriptor, statBytes, statxBytes } from './files.js';
export type { DescriptorTable, FileStat, HeldDescriptor, IoCount, IoResult } from './files.js';
export { checkOptionKeys, fixedStrategy } from './policy.js';
export type {
  CongestionAlgorithm,
  CongestionAlgorithmFactory,
  CongestionControl,
  FsStrategy,
  FsStrategyFactory,
  StrategyFactory,
  StrategyHost,
  StrategyOptions,
  StrategyRegistry,
  VforkCall,
  VforkStrategy,
  VforkStrategyFactory,
} from './policy.js';
export { NET_API } from './network.js';
export type { HostNetwork, NetApi, NetInterface, NetPacket, SocketUsage, TcpSample } from './network.js';
