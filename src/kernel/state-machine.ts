import { fail, ok, type Result } from './result.js';

/**
 * A lifecycle as data: for each action, the states it may start from and the state it leads to.
 * `transition` is the only way a status changes; anything not in the table is an illegal transition.
 */
export type TransitionTable<S extends string, A extends string> = {
  readonly [action in A]: { readonly from: readonly S[]; readonly to: S };
};

export interface StateMachine<S extends string, A extends string> {
  readonly name: string;
  readonly states: readonly S[];
  readonly terminal: readonly S[];
  readonly transitions: TransitionTable<S, A>;
}

export function transition<S extends string, A extends string>(machine: StateMachine<S, A>, from: S, action: A): Result<S> {
  const rule = machine.transitions[action];
  if (!rule.from.includes(from)) {
    return fail('illegal_transition', `cannot ${action.replaceAll('_', ' ')} a ${machine.name} that is ${from.replaceAll('_', ' ')}`, {
      from,
      action,
      allowed_from: rule.from,
    });
  }
  return ok(rule.to);
}

export const canTransition = <S extends string, A extends string>(m: StateMachine<S, A>, from: S, action: A): boolean =>
  m.transitions[action].from.includes(from);
