import base64
from pathlib import Path

import pytest

from papers.sources.bibsonomy import (
    NOT_CONFIGURED,
    BibsonomyClient,
    find_arxiv_id,
    latex_to_text,
    parse_bibtex,
    parse_misc,
    parse_post,
    parse_posts,
    split_authors,
)
from papers.sources.clients import bibsonomy_client
from papers.sources.http import (
    ConfigurationError,
    HttpClient,
    MalformedResponse,
    NotFound,
    PermanentSourceError,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "bibsonomy"
XML = "application/xml; charset=utf-8"
LSTM_INTRAHASH = "2c41c553da992332fa5ef205f2b516a4"
LSTM_INTERHASH = "4140d935b433df33c3387a012d546f9a"


def fixture(name):
    return (FIXTURES / name).read_bytes()


def make_client(httpserver, *, user="shortscience", api_key="s3cr3t-key", **kwargs):
    options = {
        "timeout": 2.0,
        "user_agent": "shortscience-tests/1.0",
        "sleep": [].append,
    }
    options.update(kwargs)
    return BibsonomyClient(
        http=HttpClient(service="BibSonomy", **options),
        base_url=httpserver.url_for("/api"),
        user=user,
        api_key=api_key,
    )


def posts_by_key(posts):
    return {post.bibtex_key: post for post in posts}


# Values


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            'Hochreiter, Sepp and Schmidhuber, J{\\"u}rgen',
            ("Sepp Hochreiter", "Jürgen Schmidhuber"),
        ),
        ("Ashish Vaswani and {\\L}ukasz Kaiser", ("Ashish Vaswani", "Łukasz Kaiser")),
        (
            "Cesa-Bianchi, Nicol{\\`o} and Lugosi, G{\\'a}bor",
            ("Nicolò Cesa-Bianchi", "Gábor Lugosi"),
        ),
        (
            "van der Maaten, Laurens and Hinton, Geoffrey",
            ("Laurens van der Maaten", "Geoffrey Hinton"),
        ),
        ("Steele, Jr., Guy L.", ("Guy L. Steele Jr.",)),
        (
            "{Barnes and Noble, Inc.} and Doe, Jane",
            ("Barnes and Noble, Inc.", "Jane Doe"),
        ),
        (
            'Kriegel, Daniela and J{"a}schke, Robert',
            ("Daniela Kriegel", "Robert Jäschke"),
        ),
        (
            "Kingma, Diederik P and Ba, Jimmy and others",
            ("Diederik P Kingma", "Jimmy Ba"),
        ),
        ("Zhang, Chiyuan AND\n   Bengio, Samy", ("Chiyuan Zhang", "Samy Bengio")),
        ('Sch{\\"o}lkopf, Bernhard', ("Bernhard Schölkopf",)),
        ("", ()),
        (None, ()),
    ],
)
def test_split_authors(value, expected):
    assert split_authors(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "{BERT}: Pre-training of Deep   Bidirectional\nTransformers",
            "BERT: Pre-training of Deep Bidirectional Transformers",
        ),
        ("Visualizing Data using \\emph{t-SNE}", "Visualizing Data using t-SNE"),
        ('Halbgruppen bin{"a}rer {R}elationen', "Halbgruppen binärer Relationen"),
        ("Fran{\\c{c}}ois and Erd{\\H{o}}s", "François and Erdős"),
        ("0", "0"),
    ],
)
def test_latex_to_text(value, expected):
    assert latex_to_text(value) == expected


def test_parse_misc_reads_key_value_pairs():
    misc = "  doi = {10.2314/coscv1.1},\n  eprint = {1706.03762},\n  note = {A {nested} value}"

    assert parse_misc(misc) == {
        "doi": "10.2314/coscv1.1",
        "eprint": "1706.03762",
        "note": "A {nested} value",
    }


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"eprint": "1706.03762", "archive_prefix": "arXiv"}, "1706.03762"),
        ({"eprint": "hal-01234567", "archive_prefix": "HAL"}, None),
        ({"journal": "CoRR", "volume": "abs/1611.03530"}, "1611.03530"),
        ({"bibtex_key": "journals/corr/abs-1611-03530"}, "1611.03530"),
        ({"bibtex_key": "DBLP:journals/corr/abs-1502-03167v3"}, "1502.03167"),
        ({"bibtex_key": "journals/corr/1412.6980"}, "1412.6980"),
        ({"bibtex_key": "journals/corr/ZhangBHRV16"}, None),
        ({"texts": ("https://arxiv.org/abs/1706.03762v5",)}, "1706.03762"),
        ({"texts": ("http://arxiv.org/pdf/cs/9605103v1.pdf",)}, "cs/9605103"),
        ({"texts": ("10.48550/arXiv.1706.03762",)}, "1706.03762"),
        ({"journal": "arXiv preprint arXiv:1412.6980"}, "1412.6980"),
        ({"texts": ("https://doi.org/10.1038/nature14539",)}, None),
    ],
)
def test_find_arxiv_id(kwargs, expected):
    assert find_arxiv_id(**kwargs) == expected


# XML parser


def test_parse_posts_skips_bookmarks():
    posts = parse_posts(fixture("search_posts.xml"))

    assert [post.bibtex_key for post in posts] == [
        "journals/corr/ZhangBHRV16",
        "hochreiter1997long",
        "he2016deep",
        "vaswani2017attention",
    ]


def test_parse_posts_reads_the_doi_inside_misc():
    post = posts_by_key(parse_posts(fixture("search_posts.xml")))["hochreiter1997long"]

    assert post.title == "Long Short-Term Memory"
    assert post.authors == ("Sepp Hochreiter", "Jürgen Schmidhuber")
    assert post.doi == "10.1162/neco.1997.9.8.1735"
    assert post.year == 1997
    assert post.venue == "Neural Computation"
    assert post.entrytype == "article"
    assert post.tags == ("lstm", "rnn", "neural")
    assert post.user == "mlreader"
    assert (post.intrahash, post.interhash) == (LSTM_INTRAHASH, LSTM_INTERHASH)
    assert post.abstract == (
        "Learning to store information over extended time intervals by recurrent "
        "backpropagation takes a very long time, mostly because of insufficient, "
        "decaying error backflow."
    )
    assert post.arxiv_id is None


def test_parse_posts_reads_booktitle_and_a_doi_url():
    post = posts_by_key(parse_posts(fixture("search_posts.xml")))["he2016deep"]

    assert post.venue == (
        "2016 IEEE Conference on Computer Vision and Pattern Recognition (CVPR)"
    )
    assert post.entrytype == "inproceedings"
    assert post.doi == "10.1109/cvpr.2016.90"
    assert post.url == "https://doi.org/10.1109/CVPR.2016.90"


def test_parse_posts_reads_the_arxiv_id_of_a_corr_post():
    post = posts_by_key(parse_posts(fixture("search_posts.xml")))[
        "journals/corr/ZhangBHRV16"
    ]

    assert (
        post.title == "Understanding deep learning requires rethinking generalization"
    )
    assert post.venue == "CoRR"
    assert post.arxiv_id == "1611.03530"
    assert post.authors[-1] == "Oriol Vinyals"
    assert post.tags == ("dblp",)


def test_parse_posts_reads_first_last_names_and_eprint():
    post = posts_by_key(parse_posts(fixture("search_posts.xml")))[
        "vaswani2017attention"
    ]

    assert len(post.authors) == 8
    assert post.authors[6] == "Łukasz Kaiser"
    assert post.arxiv_id == "1706.03762"
    assert post.venue == "Advances in Neural Information Processing Systems 30"


def test_parse_post_reads_a_single_post():
    post = parse_post(fixture("post.xml"))

    assert post.bibtex_key == "hochreiter1997long"
    assert post.doi == "10.1162/neco.1997.9.8.1735"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"<bibsonomy stat='ok'><posts>", MalformedResponse),
        (b"<html>maintenance</html>", MalformedResponse),
        (
            b"<bibsonomy stat='fail'><error>bad search</error></bibsonomy>",
            PermanentSourceError,
        ),
    ],
)
def test_parse_posts_errors(body, error):
    with pytest.raises(error):
        parse_posts(body)


# BibTeX files


def test_parse_bibtex_reads_every_entry():
    entries = parse_bibtex((FIXTURES / "reading_list.bib").read_text(encoding="utf-8"))

    assert [entry.bibtex_key for entry in entries] == [
        "hochreiter1997long",
        "DBLP:journals/corr/abs-1611-03530",
        "DBLP:journals/corr/abs-1502-03167",
        "vaswani_attention_2023",
        "lecun_deep_2015",
        "kingma2014adam",
        "maaten2008visualizing",
        "goodfellow2014generative",
    ]


@pytest.mark.parametrize(
    ("key", "arxiv_id", "doi"),
    [
        ("hochreiter1997long", None, "10.1162/neco.1997.9.8.1735"),
        ("DBLP:journals/corr/abs-1611-03530", "1611.03530", None),
        ("DBLP:journals/corr/abs-1502-03167", "1502.03167", None),
        ("vaswani_attention_2023", "1706.03762", "10.48550/arxiv.1706.03762"),
        ("lecun_deep_2015", None, "10.1038/nature14539"),
        ("kingma2014adam", "1412.6980", None),
        ("maaten2008visualizing", None, None),
        ("goodfellow2014generative", "1406.2661", None),
    ],
)
def test_parse_bibtex_finds_identifiers(key, arxiv_id, doi):
    entries = parse_bibtex((FIXTURES / "reading_list.bib").read_text(encoding="utf-8"))
    entry = {entry.bibtex_key: entry for entry in entries}[key]

    assert (entry.arxiv_id, entry.doi) == (arxiv_id, doi)


def test_parse_bibtex_reads_bibsonomy_export_fields():
    entries = parse_bibtex((FIXTURES / "reading_list.bib").read_text(encoding="utf-8"))
    entry = entries[0]

    assert entry.title == "Long Short-Term Memory"
    assert entry.authors == ("Sepp Hochreiter", "Jürgen Schmidhuber")
    assert entry.year == 1997
    assert entry.venue == "Neural Computation"
    assert entry.tags == ("lstm", "rnn", "neural")
    assert (entry.intrahash, entry.interhash) == (LSTM_INTRAHASH, LSTM_INTERHASH)
    assert entry.abstract == (
        "Learning to store information over extended time intervals by recurrent "
        "backpropagation takes a very long time."
    )


def test_parse_bibtex_reads_zotero_and_string_macros():
    entries = {
        entry.bibtex_key: entry
        for entry in parse_bibtex(
            (FIXTURES / "reading_list.bib").read_text(encoding="utf-8")
        )
    }

    attention = entries["vaswani_attention_2023"]
    assert attention.title == "Attention Is All You Need"
    assert attention.authors[6] == "Łukasz Kaiser"
    assert attention.entrytype == "misc"
    assert attention.tags == (
        "Computer Science - Computation and Language",
        "Computer Science - Machine Learning",
    )
    tsne = entries["maaten2008visualizing"]
    assert tsne.venue == "Journal of Machine Learning Research"
    assert tsne.authors == ("Laurens van der Maaten", "Geoffrey Hinton")
    assert tsne.title == "Visualizing Data using t-SNE"
    assert entries["kingma2014adam"].venue is None
    assert entries["goodfellow2014generative"].venue == (
        "Advances in Neural Information Processing Systems 27"
    )


def test_parse_bibtex_of_empty_text_is_empty():
    assert parse_bibtex("") == []


# Client


def test_search_sends_the_documented_query_with_basic_auth(httpserver):
    httpserver.expect_request("/api/posts").respond_with_data(
        fixture("search_posts.xml"), content_type=XML
    )

    posts = make_client(httpserver).search('"deep learning"', start=20, end=40)

    assert len(posts) == 4
    (request, _) = httpserver.log[0]
    assert request.args.to_dict() == {
        "resourcetype": "bibtex",
        "search": '"deep learning"',
        "start": "20",
        "end": "40",
    }
    credentials = base64.b64encode(b"shortscience:s3cr3t-key").decode()
    assert request.headers["Authorization"] == f"Basic {credentials}"
    assert request.headers["User-Agent"] == "shortscience-tests/1.0"


def test_get_post_reads_one_users_post(httpserver):
    httpserver.expect_request(
        f"/api/users/mlreader/posts/{LSTM_INTRAHASH}"
    ).respond_with_data(fixture("post.xml"), content_type=XML)

    post = make_client(httpserver).get_post("mlreader", LSTM_INTRAHASH)

    assert post.intrahash == LSTM_INTRAHASH
    assert post.user == "mlreader"


def test_posts_for_resource_passes_the_hash(httpserver):
    httpserver.expect_request(
        "/api/posts",
        query_string={"resourcetype": "bibtex", "resource": f"1{LSTM_INTERHASH}"},
    ).respond_with_data(fixture("search_posts.xml"), content_type=XML)

    posts = make_client(httpserver).posts_for_resource(f"1{LSTM_INTERHASH}")

    assert len(posts) == 4


def test_wrong_credentials_are_a_configuration_error(httpserver):
    httpserver.expect_request("/api/posts").respond_with_data(
        fixture("fail_auth.xml"),
        status=401,
        content_type=XML,
        headers={"WWW-Authenticate": 'Basic realm="BibSonomyWebService"'},
    )

    with pytest.raises(ConfigurationError) as excinfo:
        make_client(httpserver).search("deep learning")

    message = str(excinfo.value)
    assert message.startswith("BibSonomy refused the credentials")
    assert "Please authenticate yourself." in message
    assert len(httpserver.log) == 1


def test_forbidden_is_a_configuration_error(httpserver):
    httpserver.expect_request("/api/posts").respond_with_data(
        b"<bibsonomy stat='fail'><error>It is forbidden.</error></bibsonomy>",
        status=403,
        content_type=XML,
    )

    with pytest.raises(ConfigurationError, match="It is forbidden."):
        make_client(httpserver).search("deep learning")


@pytest.mark.parametrize(("user", "api_key"), [("", "key"), ("user", ""), ("", "")])
def test_unconfigured_client_refuses_without_a_request(httpserver, user, api_key):
    client = make_client(httpserver, user=user, api_key=api_key)

    with pytest.raises(ConfigurationError) as excinfo:
        client.search("deep learning")

    assert client.enabled is False
    assert str(excinfo.value) == NOT_CONFIGURED
    assert httpserver.log == []


def test_missing_post_is_not_found(httpserver):
    httpserver.expect_request(
        f"/api/users/mlreader/posts/{LSTM_INTRAHASH}"
    ).respond_with_data(fixture("fail_not_found.xml"), status=404, content_type=XML)

    with pytest.raises(NotFound, match="does not exist"):
        make_client(httpserver).get_post("mlreader", LSTM_INTRAHASH)


def test_malformed_xml_is_reported(httpserver):
    httpserver.expect_request("/api/posts").respond_with_data(
        b"<?xml version='1.0'?><bibsonomy stat='ok'><posts><post>", content_type=XML
    )

    with pytest.raises(MalformedResponse):
        make_client(httpserver).search("deep learning")


def test_server_error_is_retried(httpserver):
    httpserver.expect_ordered_request("/api/posts").respond_with_data(
        "oops", status=500
    )
    httpserver.expect_ordered_request("/api/posts").respond_with_data(
        fixture("search_posts.xml"), content_type=XML
    )
    sleeps = []

    posts = make_client(httpserver, sleep=sleeps.append).search("deep learning")

    assert len(posts) == 4
    assert sleeps == [1.0]


def test_from_settings_reads_django_settings(settings):
    settings.BIBSONOMY_API_URL = "http://bibsonomy.test/api/"
    settings.BIBSONOMY_USER = "shortscience"
    settings.BIBSONOMY_API_KEY = "key"

    client = bibsonomy_client()

    assert client.enabled is True
    assert client.base_url == "http://bibsonomy.test/api"
