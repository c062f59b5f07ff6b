"""The summary model's rules that live in the database: its indexes."""


def test_the_public_summaries_index_holds_the_public_rule():
    from summaries.models import Summary, public_q

    index = next(
        i for i in Summary._meta.indexes if i.name == "summary_public_by_paper"
    )
    assert index.condition == public_q()
