import pytest
from django.urls import reverse

from tests.factories import UserFactory
from users.identicon import identicon_cells, identicon_svg


def test_the_same_id_always_draws_the_same_picture():
    assert identicon_svg(42) == identicon_svg(42)
    assert identicon_svg(42) != identicon_svg(43)


def test_the_pattern_mirrors_left_to_right():
    for seed in range(20):
        cells = set(identicon_cells(seed))
        assert cells == {(4 - x, y) for x, y in cells}


def test_the_picture_is_a_plain_svg_without_scripts_or_links():
    svg = identicon_svg(7)
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert "<script" not in svg and "href" not in svg


@pytest.mark.django_db
def test_avatar_is_served_as_svg_with_nosniff(client):
    user = UserFactory(username="ada")

    response = client.get(reverse("users:user-avatar", args=["ada"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response.content.decode() == identicon_svg(user.pk)
    assert client.get(user.avatar_url).content == response.content


@pytest.mark.django_db
def test_avatar_of_an_unknown_user_is_404(client):
    assert client.get("/users/nobody-here/avatar.svg").status_code == 404
