"""Label-free monitors (RankMe, per-dimension std, alignment / uniformity) and the online probe."""

from ssl_core.monitors.online_probe import OnlineProbe
from ssl_core.monitors.rankme import rankme
from ssl_core.monitors.stats import alignment, feature_std, label_free_metrics, uniformity

__all__ = ["OnlineProbe", "alignment", "feature_std", "label_free_metrics", "rankme", "uniformity"]
