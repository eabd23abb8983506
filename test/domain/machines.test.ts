import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type FulfillmentOrderAction,
  type FulfillmentOrderStatus,
  fulfillmentOrderMachine,
  fulfillmentOrderStatuses,
  type OrderAction,
  type OrderStatus,
  orderMachine,
  orderStatuses,
} from '../../src/contexts/orders/index.js';
import { canTransition, type StateMachine, transition } from '../../src/kernel/state-machine.js';

const orderActions: readonly OrderAction[] = ['backorder', 'clear_backorder', 'fulfill_part', 'fulfill', 'cancel'];
const fulfillmentOrderActions: readonly FulfillmentOrderAction[] = [
  'hold',
  'release_hold',
  'start',
  'return_to_open',
  'fulfill',
  'cancel',
  'close_empty',
];

/**
 * Each machine with the states a new aggregate may be created in: intake writes an order as `open` or
 * `backordered` (plan-order.ts) and a fulfillment order as `open` or `on_hold` (held orders, backorders.ts).
 */
const machines = [
  {
    machine: orderMachine as StateMachine<string, string>,
    states: orderStatuses as readonly string[],
    actions: orderActions as readonly string[],
    initial: ['open', 'backordered'] satisfies OrderStatus[] as string[],
  },
  {
    machine: fulfillmentOrderMachine as StateMachine<string, string>,
    states: fulfillmentOrderStatuses as readonly string[],
    actions: fulfillmentOrderActions as readonly string[],
    initial: ['open', 'on_hold'] satisfies FulfillmentOrderStatus[] as string[],
  },
];

/** States reachable from `from` through the table (breadth first, no recursion). */
function reachable(machine: StateMachine<string, string>, from: readonly string[]): Set<string> {
  const seen = new Set(from);
  const queue = [...from];
  for (let state = queue.shift(); state !== undefined; state = queue.shift()) {
    for (const rule of Object.values(machine.transitions)) {
      if (rule.from.includes(state) && !seen.has(rule.to)) {
        seen.add(rule.to);
        queue.push(rule.to);
      }
    }
  }
  return seen;
}

for (const { machine, states, actions, initial } of machines) {
  describe(`the ${machine.name} state machine, as data`, () => {
    test('the table names exactly the known actions, and only known states', () => {
      assert.deepEqual(Object.keys(machine.transitions).sort(), [...actions].sort());
      assert.deepEqual([...machine.states].sort(), [...states].sort());
      assert.equal(new Set(states).size, states.length, 'no state listed twice');
      for (const [action, rule] of Object.entries(machine.transitions)) {
        assert.ok(states.includes(rule.to), `${action} leads to an unknown state ${rule.to}`);
        assert.ok(rule.from.length > 0, `${action} can start from no state`);
        for (const from of rule.from) assert.ok(states.includes(from), `${action} starts from an unknown state ${from}`);
      }
      for (const state of machine.terminal) assert.ok(states.includes(state));
      for (const state of initial) assert.ok(states.includes(state));
    });

    test('every state is reachable from the initial state', () => {
      const [first] = initial;
      assert.deepEqual([...reachable(machine, [first as string])].sort(), [...states].sort());
    });

    test('terminal states have no way out; every other state has one and can still end', () => {
      for (const state of states) {
        const out = actions.filter((a) => canTransition(machine, state, a));
        if (machine.terminal.includes(state)) assert.deepEqual(out, [], `terminal ${state} can still ${out.join(', ')}`);
        else {
          assert.ok(out.length > 0, `${state} is a dead end but not terminal`);
          const ends = [...reachable(machine, [state])].filter((s) => machine.terminal.includes(s));
          assert.ok(ends.length > 0, `no terminal state is reachable from ${state}`);
        }
      }
    });

    test('transition() is the table: exhaustive over states x actions, anything else is illegal_transition', () => {
      let legal = 0;
      for (const state of states) {
        for (const action of actions) {
          const rule = machine.transitions[action];
          const result = transition(machine, state, action);
          assert.equal(canTransition(machine, state, action), result.ok);
          if (rule?.from.includes(state)) {
            legal += 1;
            assert.deepEqual(result, { ok: true, value: rule.to }, `${state} --${action}-->`);
          } else {
            assert.equal(result.ok, false, `${state} --${action}--> should be illegal`);
            if (result.ok) continue;
            assert.equal(result.error.code, 'illegal_transition');
            assert.deepEqual(result.error.extra, { from: state, action, allowed_from: rule?.from });
            assert.match(result.error.detail, new RegExp(`cannot ${action.replaceAll('_', ' ')} `));
          }
        }
      }
      const tableSize = Object.values(machine.transitions).reduce((sum, r) => sum + r.from.length, 0);
      assert.equal(legal, tableSize, 'every legal pair comes from the table');
    });

    test('transition() is pure: the table is frozen in behaviour, repeated calls agree', () => {
      const before = JSON.stringify(machine);
      for (const state of states)
        for (const action of actions) assert.deepEqual(transition(machine, state, action), transition(machine, state, action));
      assert.equal(JSON.stringify(machine), before);
    });
  });
}

describe('the lifecycles the issue describes', () => {
  test('orders: cancel only before any fulfilment; fulfilled and cancelled are final', () => {
    assert.deepEqual(orderMachine.terminal, ['fulfilled', 'cancelled']);
    assert.equal(transition(orderMachine, 'open', 'cancel').ok, true);
    assert.equal(transition(orderMachine, 'backordered', 'cancel').ok, true);
    assert.equal(transition(orderMachine, 'partially_fulfilled', 'cancel').ok, false);
    assert.equal(transition(orderMachine, 'backordered', 'clear_backorder').ok, true);
  });

  test('fulfillment orders: held or cancelled work is never released to the floor, and a cancelled one never ships', () => {
    assert.equal(canTransition(fulfillmentOrderMachine, 'on_hold', 'start'), false);
    assert.equal(canTransition(fulfillmentOrderMachine, 'cancelled', 'start'), false);
    assert.equal(canTransition(fulfillmentOrderMachine, 'cancelled', 'fulfill'), false);
    assert.equal(canTransition(fulfillmentOrderMachine, 'on_hold', 'fulfill'), false);
    assert.equal(canTransition(fulfillmentOrderMachine, 'in_progress', 'cancel'), false, 'released work is not cancelled silently');
  });
});
