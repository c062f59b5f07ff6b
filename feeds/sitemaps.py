"""sitemap.xml: papers that have public summaries, public summaries, venues."""

from dataclasses import dataclass

from django.contrib.sitemaps import Sitemap

from . import selectors
from .links import site_domain, site_scheme


@dataclass(frozen=True)
class _ConfiguredSite:
    """Stand-in for a Site row: addresses come from settings.SITE_URL."""

    domain: str
    name: str = ""


class SiteUrlSitemap(Sitemap):
    limit = 10_000

    def get_urls(self, page=1, site=None, protocol=None):
        return super().get_urls(
            page=page, site=_ConfiguredSite(site_domain()), protocol=site_scheme()
        )


class PaperSitemap(SiteUrlSitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return selectors.paper_list_with_summaries()

    def lastmod(self, paper):
        return paper.updated_at


class SummarySitemap(SiteUrlSitemap):
    changefreq = "monthly"
    priority = 0.6

    def items(self):
        return selectors.summary_list_for_sitemap()

    def lastmod(self, summary):
        return summary.updated_at


class VenueSitemap(SiteUrlSitemap):
    changefreq = "weekly"
    priority = 0.4

    def items(self):
        return selectors.venue_list_with_papers()


SITEMAPS = {
    "papers": PaperSitemap,
    "summaries": SummarySitemap,
    "venues": VenueSitemap,
}
