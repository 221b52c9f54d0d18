-- Omni's database and the role it connects as: not a superuser, owner of its schema.
-- docker-compose.yml mounts this file into the postgres container's
-- /docker-entrypoint-initdb.d/: the image runs it once, on an empty data volume, as the
-- superuser (postgres), with the container's environment (OMNI_DB_PASSWORD).
\set ON_ERROR_STOP on
\getenv omni_password OMNI_DB_PASSWORD
\if :{?omni_password}
\else
  DO $$ BEGIN RAISE EXCEPTION 'OMNI_DB_PASSWORD is not set in the postgres container'; END $$;
\endif

-- CONNECTION LIMIT: Omni's whole budget (README, "Production"); what is left of
-- max_connections - superuser_reserved_connections stays free for people and tools.
CREATE ROLE omni LOGIN PASSWORD :'omni_password'
    NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
    CONNECTION LIMIT 60;

CREATE DATABASE omni OWNER omni ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE omni FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE omni TO omni;

\connect omni
-- Omni's migrations create every table in public: the role owns it, nobody else may create there.
ALTER SCHEMA public OWNER TO omni;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
