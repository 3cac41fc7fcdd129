"""The template's evaluation: linear probes of the held-out labels, SSL versus its baselines."""

from __future__ import annotations

from ssl_core.evaluation import ComparisonRow, embed_dataset, probe_comparison
from ssl_core.interfaces import SSLModule
from ssl_core.lifecycle import EvalContext
from ssl_plugin_template.data import TemplateData


def evaluate(module: SSLModule, data: TemplateData, ctx: EvalContext) -> list[ComparisonRow]:
    """Probe ``label`` on the SSL encoder vs the same encoder at random init vs the raw features."""
    seeds = range(1 if ctx.quick else (ctx.seeds or 3))
    ssl, _ = embed_dataset(module, data.eval, device=ctx.device)
    random, _ = embed_dataset(ctx.random_init(), data.eval, device=ctx.device)
    baselines = {"random init": random, "raw features": data.eval_x}
    return probe_comparison(ssl, baselines, data.eval_y, task="cluster id", seeds=list(seeds))
