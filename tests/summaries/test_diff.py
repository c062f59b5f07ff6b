import re

from summaries.diff import revision_diff, tokenize

OLD = """## Idea

The policy gradient is estimated as $\\nabla_\\theta J = \\mathbb{E}[\\nabla_\\theta \\log \\pi(a|s) A(s,a)]$
where the advantage comes from a learned critic.

$$V_D^{\\pi}(s) = \\sum_t \\gamma^t r_t$$

**Results.** The agent reaches human level on 29 of 57 Atari games.
"""

NEW = """## Idea

The policy gradient is estimated as $\\nabla_\\theta J = \\mathbb{E}[\\nabla_\\theta \\log \\pi(a|s) A(s,a)]$
where the advantage comes from a critic trained by TD learning.

$$V_D^{\\pi}(s) = \\sum_{t=0}^{T} \\gamma^t r_t$$

**Results.** The agent reaches human level on 41 of 57 Atari games.
"""


def marked(html: str, tag: str) -> list[str]:
    """The text of each <tag> element, with nested markup removed."""
    return [
        re.sub(r"<[^>]+>", "", m)
        for m in re.findall(rf"<{tag}>(.*?)</{tag}>", html, re.S)
    ]


def test_math_spans_are_single_tokens():
    tokens = tokenize("costs $5 and $x_i^2$ then $$a + b$$ and \\(c\\).")
    math = [t.text for t in tokens if t.math]
    assert math == ["$x_i^2$", "$$a + b$$", "\\(c\\)"]
    assert (
        "".join(t.text for t in tokens)
        == "costs $5 and $x_i^2$ then $$a + b$$ and \\(c\\)."
    )


def test_dollars_in_code_spans_are_not_math():
    tokens = tokenize("run `echo $HOME and $PATH` then $x$")
    assert [t.text for t in tokens if t.math] == ["$x$"]
    diff = revision_diff("run `echo $HOME and $PATH`", "run `echo $HOME or $PATH`")
    assert "katex" not in diff.inline
    assert "<del>`echo $HOME and $PATH`</del>" in diff.inline


def test_changed_words_are_marked_whole_and_nothing_else():
    diff = revision_diff(OLD, NEW)
    assert diff.changed
    deleted = [re.sub(r"\s+", " ", d) for d in marked(diff.inline, "del")]
    inserted = [re.sub(r"\s+", " ", i) for i in marked(diff.inline, "ins")]
    # Words change as whole words: "29" became "41", never "2" and "9" apart.
    assert "29" in deleted and "41" in inserted
    assert "learned critic" in deleted
    assert "critic trained by TD learning" in inserted
    # The unchanged inline formula is left as source, not marked.
    assert "\\mathbb{E}[\\nabla_\\theta" in diff.inline
    assert "## Idea" in diff.inline and "**Results.**" in diff.inline


def test_a_changed_formula_is_typeset_on_both_sides():
    diff = revision_diff(OLD, NEW)
    old_math = re.findall(
        r"<del><span class=\"diff-math\" title=\"([^\"]+)\"", diff.inline
    )
    new_math = re.findall(
        r"<ins><span class=\"diff-math\" title=\"([^\"]+)\"", diff.inline
    )
    assert old_math == ["$$V_D^{\\pi}(s) = \\sum_t \\gamma^t r_t$$"]
    assert new_math == ["$$V_D^{\\pi}(s) = \\sum_{t=0}^{T} \\gamma^t r_t$$"]
    # Typeset by KaTeX, with MathML for screen readers.
    assert diff.inline.count('class="katex-mathml"') == 2
    assert "<math" in diff.inline


def test_side_by_side_columns_hold_one_side_each():
    diff = revision_diff(OLD, NEW)
    assert "<ins>" not in diff.old and "<del>" in diff.old
    assert "<del>" not in diff.new and "<ins>" in diff.new
    assert "learned critic" in marked(diff.old, "del")
    assert "41" in marked(diff.new, "ins")


def test_source_text_is_escaped():
    diff = revision_diff("a <b>bold</b> claim", "a <script>x</script> claim")
    assert "<script>" not in diff.inline and "<b>" not in diff.inline
    assert "&lt;<del>b</del><ins>script</ins>&gt;" in diff.inline


def test_long_unchanged_stretches_are_folded():
    middle = "\n".join(f"Line {n} stays the same." for n in range(20))
    diff = revision_diff(
        f"Start old.\n{middle}\nEnd old.", f"Start new.\n{middle}\nEnd new."
    )
    assert "Line 0 stays" in diff.inline and "Line 19 stays" in diff.inline
    assert "Line 10 stays" not in diff.inline
    assert "unchanged lines" in diff.inline


def test_identical_revisions_have_no_changes():
    diff = revision_diff(OLD, OLD)
    assert not diff.changed
    assert "<ins>" not in diff.inline and "<del>" not in diff.inline
