import re

from django.db import migrations

# The venues and aliases as they were when this migration was written, copied here (not
# imported from papers.venue_seed) so that later edits to the seed list cannot change what
# this migration does. (short name, full name, slug, kind, url, aliases)
VENUES = [
    (
        "NeurIPS",
        "Conference on Neural Information Processing Systems",
        "neurips",
        "conference",
        "https://neurips.cc",
        [
            "nips",
            "neurips",
            "conf/nips",
            "advances in neural information processing systems",
            "neural information processing systems",
            "nips conference",
            "neurips conference",
        ],
    ),
    (
        "ICML",
        "International Conference on Machine Learning",
        "icml",
        "conference",
        "https://icml.cc",
        [
            "icml",
            "conf/icml",
            "international conference on machine learning",
            "proceedings of the international conference on machine learning",
        ],
    ),
    (
        "ICLR",
        "International Conference on Learning Representations",
        "iclr",
        "conference",
        "https://iclr.cc",
        ["iclr", "conf/iclr", "international conference on learning representations"],
    ),
    (
        "CVPR",
        "IEEE/CVF Conference on Computer Vision and Pattern Recognition",
        "cvpr",
        "conference",
        "https://cvpr.thecvf.com",
        [
            "cvpr",
            "conf/cvpr",
            "ieee conference on computer vision and pattern recognition",
            "ieee/cvf conference on computer vision and pattern recognition",
            "computer vision and pattern recognition",
        ],
    ),
    (
        "ICCV",
        "IEEE/CVF International Conference on Computer Vision",
        "iccv",
        "conference",
        "https://iccv.thecvf.com",
        [
            "iccv",
            "conf/iccv",
            "ieee international conference on computer vision",
            "international conference on computer vision",
        ],
    ),
    (
        "ECCV",
        "European Conference on Computer Vision",
        "eccv",
        "conference",
        "https://eccv.ecva.net",
        ["eccv", "conf/eccv", "european conference on computer vision"],
    ),
    (
        "ACL",
        "Annual Meeting of the Association for Computational Linguistics",
        "acl",
        "conference",
        "https://www.aclweb.org",
        [
            "acl",
            "conf/acl",
            "annual meeting of the association for computational linguistics",
        ],
    ),
    (
        "EMNLP",
        "Conference on Empirical Methods in Natural Language Processing",
        "emnlp",
        "conference",
        "https://www.aclweb.org",
        [
            "emnlp",
            "conf/emnlp",
            "empirical methods in natural language processing",
            "conference on empirical methods in natural language processing",
        ],
    ),
    (
        "NAACL",
        "Conference of the North American Chapter of the ACL",
        "naacl",
        "conference",
        "https://naacl.org",
        [
            "naacl",
            "naacl-hlt",
            "conf/naacl",
            "north american chapter of the association for computational linguistics",
        ],
    ),
    (
        "AAAI",
        "AAAI Conference on Artificial Intelligence",
        "aaai",
        "conference",
        "https://aaai.org",
        ["aaai", "conf/aaai", "aaai conference on artificial intelligence"],
    ),
    (
        "IJCAI",
        "International Joint Conference on Artificial Intelligence",
        "ijcai",
        "conference",
        "https://www.ijcai.org",
        [
            "ijcai",
            "conf/ijcai",
            "international joint conference on artificial intelligence",
        ],
    ),
    (
        "KDD",
        "ACM SIGKDD Conference on Knowledge Discovery and Data Mining",
        "kdd",
        "conference",
        "https://kdd.org",
        ["kdd", "sigkdd", "conf/kdd", "knowledge discovery and data mining"],
    ),
    (
        "AISTATS",
        "International Conference on Artificial Intelligence and Statistics",
        "aistats",
        "conference",
        "https://aistats.org",
        ["aistats", "conf/aistats", "artificial intelligence and statistics"],
    ),
    (
        "UAI",
        "Conference on Uncertainty in Artificial Intelligence",
        "uai",
        "conference",
        "https://www.auai.org",
        ["uai", "conf/uai", "uncertainty in artificial intelligence"],
    ),
    (
        "COLT",
        "Conference on Learning Theory",
        "colt",
        "conference",
        "https://learningtheory.org",
        ["colt", "conf/colt", "conference on learning theory"],
    ),
    (
        "JMLR",
        "Journal of Machine Learning Research",
        "jmlr",
        "journal",
        "https://jmlr.org",
        [
            "jmlr",
            "journals/jmlr",
            "journal of machine learning research",
            "j mach learn res",
            "j. mach. learn. res.",
        ],
    ),
    (
        "TPAMI",
        "IEEE Transactions on Pattern Analysis and Machine Intelligence",
        "tpami",
        "journal",
        "https://www.computer.org/csdl/journal/tp",
        [
            "tpami",
            "pami",
            "journals/pami",
            "ieee transactions on pattern analysis and machine intelligence",
            "ieee trans pattern anal mach intell",
        ],
    ),
    (
        "TMLR",
        "Transactions on Machine Learning Research",
        "tmlr",
        "journal",
        "https://jmlr.org/tmlr",
        ["tmlr", "journals/tmlr", "transactions on machine learning research"],
    ),
    (
        "Nature",
        "Nature",
        "nature",
        "journal",
        "https://www.nature.com",
        ["nature", "journals/nature"],
    ),
    (
        "Science",
        "Science",
        "science",
        "journal",
        "https://www.science.org",
        ["science", "journals/science"],
    ),
    (
        "arXiv",
        "arXiv (CoRR)",
        "arxiv",
        "preprint",
        "https://arxiv.org",
        [
            "arxiv",
            "corr",
            "journals/corr",
            "arxiv preprint",
            "computing research repository",
        ],
    ),
]


def normalise_alias(text):
    # A copy of papers.models.normalise_alias as it was when this migration was written.
    text = re.sub(r"[^\w/ ]+", " ", text.lower())
    return " ".join(text.split())


def seed(apps, schema_editor):
    Venue = apps.get_model("papers", "Venue")
    VenueAlias = apps.get_model("papers", "VenueAlias")
    for short_name, name, slug, kind, url, aliases in VENUES:
        venue, _ = Venue.objects.get_or_create(
            slug=slug,
            defaults={"short_name": short_name, "name": name, "kind": kind, "url": url},
        )
        for alias in aliases:
            VenueAlias.objects.get_or_create(alias=normalise_alias(alias), defaults={"venue": venue})


class Migration(migrations.Migration):
    dependencies = [("papers", "0002_imports_and_venue_aliases")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
