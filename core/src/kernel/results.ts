/**
 * What a syscall tap may return, checked at run time: JavaScript plugins have no type checker,
 * and a malformed result must be the plugin's error, never a crash in the runner or a value
 * that reaches the program unchecked (a bare `7` would leave the real call's result in place).
 */

const isInt = (v: unknown, min: number, max: number): boolean => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
const optionalFunction = (v: unknown): boolean => v === undefined || typeof v === 'function';

function describe(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value !== 'object' || value === null) return typeof value === 'string' ? JSON.stringify(value) : String(value);
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : typeof v === 'function' ? '[function]' : v));
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** Why `value` is not a SyscallResult (what is wrong with it), or null when it is one. */
function problem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return 'not a result object';
  const r = value as Record<string, unknown>;
  switch (r['kind']) {
    case 'ok':
      return typeof r['value'] === 'bigint' ? null : 'ok needs a bigint value (use ok(n))';
    case 'errno':
      return isInt(r['errno'], 1, 4095) && typeof r['restartable'] === 'boolean' ? null : 'errno needs an errno from 1 to 4095 (use errno(E))';
    case 'block': {
      // A condition with neither trigger nor deadline is a wait that only a signal ends (pause,
      // sigsuspend); what is there must be a trigger and a bigint deadline.
      const on = r['on'] as Record<string, unknown> | null | undefined;
      const trigger = typeof on === 'object' && on !== null ? (on['trigger'] as Record<string, unknown> | undefined) : null;
      const condition =
        trigger !== null &&
        (trigger === undefined || (typeof trigger === 'object' && typeof trigger['subscribe'] === 'function')) &&
        (on!['deadline'] === undefined || typeof on!['deadline'] === 'bigint');
      return condition && typeof r['restartable'] === 'boolean' && optionalFunction(r['onInterrupt']) && optionalFunction(r['mapResult'])
        ? null
        : 'block needs a wait condition (use block(waitFor…))';
    }
    case 'native':
      return optionalFunction(r['mapResult']) ? null : 'native takes a mapResult function or none';
    case 'rewrite': {
      const args = r['args'];
      const ok = isInt(r['nr'], 0, 1023) && Array.isArray(args) && args.length <= 6 && args.every((a) => typeof a === 'bigint');
      return ok && optionalFunction(r['mapResult']) ? null : 'rewrite needs a syscall number and at most 6 bigint arguments';
    }
    case 'clone':
      return typeof r['request'] === 'object' && r['request'] !== null ? null : 'clone needs a request';
    case 'calls':
      return typeof r['next'] === 'function' && optionalFunction(r['abandoned']) ? null : 'calls needs a step function (use runCalls(step))';
    default:
      return `unknown kind ${describe(r['kind'])}`;
  }
}

/** Why a runCalls step's answer is neither a NativeCall nor a bigint, or null when it is one. */
function callProblem(value: unknown): string | null {
  if (typeof value === 'bigint') return null;
  if (typeof value !== 'object' || value === null) return 'not a call or a bigint';
  const { nr, args } = value as Record<string, unknown>;
  const ok = isInt(nr, 0, 1023) && Array.isArray(args) && args.length <= 6 && args.every((a) => typeof a === 'bigint');
  return ok ? null : 'a call needs a syscall number and at most 6 bigint arguments';
}

/** Throws when a runCalls step answers neither the next call nor the value the program gets. */
export function checkCallStep(value: unknown): void {
  const why = callProblem(value);
  if (why !== null) throw new Error(`a runCalls step returned ${describe(value)}: ${why}`);
}

/** Throws when a tap's return value is neither undefined (pass on) nor a SyscallResult. */
export function checkResult(value: unknown): void {
  if (value === undefined) return;
  const why = problem(value);
  if (why !== null) {
    throw new Error(`returned ${describe(value)}: ${why}; a tap returns ok(), errno(), block(), native(), rewrite(), clone(), runCalls() or undefined`);
  }
}
