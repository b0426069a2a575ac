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

-- The rights and retention tests' tables (the support-desk example's customer and ticket).
CREATE TABLE prs_customers (
  id uuid PRIMARY KEY, channel text NOT NULL, name text, cpf text, bidx_cpf text, email text, phone text,
  address jsonb, accessibility text, pf_restriction jsonb
);
CREATE TABLE prs_tickets (
  id text PRIMARY KEY, customer_id text NOT NULL, status text NOT NULL, subject text, messages jsonb, assignee jsonb,
  satisfaction integer, created_at timestamptz, pf_restriction jsonb
);
CREATE TABLE prs_swept_tickets (LIKE prs_tickets INCLUDING ALL);
CREATE TABLE prs_dupes (row_key serial PRIMARY KEY, LIKE prs_tickets);
ALTER TABLE prs_dupes ALTER COLUMN id SET NOT NULL;
CREATE TABLE prs_tickets_anonymous (seq serial PRIMARY KEY, schema text NOT NULL, fields text[] NOT NULL, data jsonb NOT NULL);

-- test/prisma/migrate.test.ts: rows inserted as plaintext, encrypted in place.
CREATE TABLE mig_member (
  id          uuid PRIMARY KEY,
  name        text NOT NULL,
  email       text NOT NULL,
  bidx_email  text,
  note        text CHECK (note IS NULL OR length(note) < 1000),
  contact     jsonb,
  handle_name text NOT NULL UNIQUE
);

CREATE TABLE "mig branch" (
  id         uuid PRIMARY KEY,
  "tax id"   text,
  "bidx tax" text,
  code       integer NOT NULL UNIQUE
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
