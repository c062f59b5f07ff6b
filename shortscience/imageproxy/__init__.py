"""The image proxy: images from other sites are served through the site, as GitHub's camo does.

At render time (`shortscience.markup`) every image whose address lies outside the site and
its own storage becomes a signed address on the site, `/img/<signature>/<address>`: an
HMAC of the original address and the address itself, base64url-encoded (`signing`). The
view (`views`) serves the stored copy, or queues a fetch and answers with a placeholder.
The fetch (`network`) refuses every address inside a network (loopback, private,
link-local, metadata...), checked on the resolved address and pinned for the connection,
after every redirect; `services` stores what it brings back (default storage, keyed by a
digest of the address), so a summary keeps its figures when their host goes away.
"""
