import { describe, expect, it } from 'vitest';
import type { HistoryEventLike } from './history-facts.js';
import { lastAutoUpgradeOverride, setsAutoUpgradeBy } from './override-events.js';

const ME = 'safe-deploy';
const optionsUpdated = (eventId: number, identity: string, versioningOverride: unknown): HistoryEventLike =>
  ({ eventId: String(eventId), workflowExecutionOptionsUpdatedEventAttributes: { identity, versioningOverride } }) as HistoryEventLike;
const other = (eventId: number): HistoryEventLike => ({ eventId: String(eventId) }) as HistoryEventLike;

describe('setsAutoUpgradeBy', () => {
  it('is an options update by that identity that set auto_upgrade', () => {
    expect(setsAutoUpgradeBy(optionsUpdated(5, ME, { autoUpgrade: true }), ME)).toBe(true);
    // Servers before the autoUpgrade field: behavior 2 = VERSIONING_BEHAVIOR_AUTO_UPGRADE.
    expect(setsAutoUpgradeBy(optionsUpdated(5, ME, { behavior: 2 }), ME)).toBe(true);
  });
  it('is not one by someone else, a pinned override, a removed override or another event', () => {
    expect(setsAutoUpgradeBy(optionsUpdated(5, 'temporal-cli', { autoUpgrade: true }), ME)).toBe(false);
    expect(setsAutoUpgradeBy(optionsUpdated(5, ME, { pinned: { version: { deploymentName: 'd', buildId: 'v1' } } }), ME)).toBe(false);
    expect(setsAutoUpgradeBy(optionsUpdated(5, ME, { behavior: 1 }), ME)).toBe(false);
    expect(setsAutoUpgradeBy(optionsUpdated(5, ME, null), ME)).toBe(false);
    expect(setsAutoUpgradeBy(other(5), ME)).toBe(false);
  });
});

describe('lastAutoUpgradeOverride', () => {
  it('finds the last of ours and the event before it', () => {
    const events = [other(1), other(2), optionsUpdated(3, ME, { autoUpgrade: true }), other(4), optionsUpdated(5, ME, { autoUpgrade: true }), optionsUpdated(6, 'x', { autoUpgrade: true })];
    expect(lastAutoUpgradeOverride({ events }, ME)).toEqual({ index: 4, eventId: 5, lastEventBefore: 4 });
  });
  it('is undefined when none of ours is there', () => {
    expect(lastAutoUpgradeOverride({ events: [other(1), optionsUpdated(2, 'x', { autoUpgrade: true })] }, ME)).toBeUndefined();
  });
});
