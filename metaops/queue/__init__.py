"""Redis and RQ plumbing that web, delivery and the core share: the connection, the inbox streams, job
submission, leases."""
