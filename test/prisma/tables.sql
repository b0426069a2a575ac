-- The tables of test/prisma/schema.prisma, made with SQL (no prisma migrate).
-- Run inside the schema the test chose (search_path); envelopes are text.
CREATE TABLE customer (
  id             text PRIMARY KEY,
  name           text NOT NULL,
  email          text NOT NULL,
  bidx_email     text,
  cpf            text,
  bidx_cpf       text,
  address        jsonb,
  pf_restriction jsonb
);
CREATE INDEX customer_bidx_email_idx ON customer (bidx_email);
CREATE INDEX customer_bidx_cpf_idx ON customer (bidx_cpf);

CREATE TABLE ticket (
  id          text PRIMARY KEY,
  customer_id text NOT NULL REFERENCES customer (id) ON DELETE CASCADE,
  subject     text NOT NULL,
  body        text NOT NULL
);
CREATE INDEX ticket_customer_id_idx ON ticket (customer_id);

CREATE TABLE note (
  id          text PRIMARY KEY,
  customer_id text NOT NULL REFERENCES customer (id) ON DELETE CASCADE,
  text        text NOT NULL
);

CREATE TABLE member (
  id                  text PRIMARY KEY,
  name                text NOT NULL,
  birth               text NOT NULL,
  document            text,
  city                text,
  bidx_name_birth     text,
  bidx_document_birth text,
  pf_restriction      jsonb
);
CREATE INDEX member_bidx_name_birth_idx ON member (bidx_name_birth);
CREATE INDEX member_bidx_document_birth_idx ON member (bidx_document_birth);
