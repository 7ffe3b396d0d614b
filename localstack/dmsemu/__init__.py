"""dmsemu: a thin compatibility layer in front of moto's server.

It fixes what moto (pinned in requirements.lock) gets wrong for the current AWS SDK
for Rust, and serves the few DMS read operations moto lacks from state a scenario
loader can set. Every fix names the moto version it works around.
"""

MOTO_VERSION = "5.2.5"
