"""Persistence: models, migrations, encryption, and the small data-access modules built on them."""
