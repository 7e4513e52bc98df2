/** A running ledger of tokens by model and by the request's `user`. */

/** Tokens and their price equivalent for one model or one user. */
export interface UsageTotals {
  requests: number;
  /** Tokens run in the page. */
  localTokens: number;
  /** Tokens sent to remote providers. */
  remoteTokens: number;
  /** Tokens answered from the vector cache instead. */
  cachedTokens: number;
  /** What the page's own work would have cost at each model's published price (USD). */
  localPriceEquivalentUSD: number;
  /** What the remote providers charge for the tokens sent (USD). */
  remoteCostUSD: number;
}

/** What `client.usage()` returns. */
export interface UsageReport {
  total: UsageTotals;
  byModel: Record<string, UsageTotals>;
  /** Keyed by the request's `user`; requests without one are under `""`. */
  byUser: Record<string, UsageTotals>;
}

/** One request's contribution. */
export interface UsageEntry {
  model: string;
  user?: string;
  route: 'local' | 'remote';
  tokens: number;
  cachedTokens: number;
  pricePerMillion: number;
}

const empty = (): UsageTotals => ({
  requests: 0, localTokens: 0, remoteTokens: 0, cachedTokens: 0, localPriceEquivalentUSD: 0, remoteCostUSD: 0,
});

/** Accumulates usage in memory for the client's lifetime. */
export class UsageLedger {
  private report: UsageReport = { total: empty(), byModel: {}, byUser: {} };

  /** Add one request. */
  record(entry: UsageEntry): void {
    const cost = (entry.tokens * entry.pricePerMillion) / 1e6;
    for (const t of [
      this.report.total,
      (this.report.byModel[entry.model] ??= empty()),
      (this.report.byUser[entry.user ?? ''] ??= empty()),
    ]) {
      t.requests++;
      t.cachedTokens += entry.cachedTokens;
      if (entry.route === 'local') {
        t.localTokens += entry.tokens;
        t.localPriceEquivalentUSD += cost;
      } else {
        t.remoteTokens += entry.tokens;
        t.remoteCostUSD += cost;
      }
    }
  }

  /** Return a deep copy of the ledger. */
  snapshot(): UsageReport {
    return structuredClone(this.report);
  }
}
