"""Away hours: per business number, Page or Instagram account, its opening hours (weekly ranges in a time zone,
holidays) and the away message a customer gets once per closed period when they write outside them
(`/meta hours`). `schedule` is the pure clock arithmetic, `form` reads the modal, `config` stores it, `sender`
decides and sends within Meta's rules."""
