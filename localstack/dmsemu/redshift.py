"""Redshift cluster addresses as AWS forms them, which moto 5.2.5 does not.

AWS names a cluster's endpoint `<cluster identifier>.<string>.<region>.redshift.amazonaws.com`
where the string is the same for every cluster of an account in a region: a cluster
created again, or restored from a snapshot, under the same identifier answers on the same
address (Amazon Redshift Management Guide, "Renaming a cluster": rename the original and
give the second its name "without having to change the endpoint"). moto draws the string at
random for each cluster, so a DMS endpoint would lose its cluster when it is created again.
"""

from __future__ import annotations

import hashlib


def _account_string(account: str, region: str) -> str:
    return hashlib.sha256(f"redshift:{account}:{region}".encode()).hexdigest()[:12]


def install() -> None:
    """Every moto Redshift cluster answers on its account and region's address."""
    from moto.redshift.models import Cluster

    def address(cluster: Cluster) -> str:
        region = cluster.region
        return f"{cluster.cluster_identifier}.{_account_string(cluster.account_id, region)}.{region}.redshift.amazonaws.com"

    setattr(Cluster, "address", property(address))  # noqa: B010 - replaces moto's property
