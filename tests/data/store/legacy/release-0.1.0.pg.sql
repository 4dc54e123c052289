--
-- PostgreSQL database dump
--

\restrict 95l96QfaTaHnRAbubi0DkG8h8N539KUnWAWwF6QfMm23adNI9AwfDmXfPprvEqh

-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: cases; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.cases (
    id character varying(16) NOT NULL,
    scenario_id character varying(64) NOT NULL,
    scenario_version integer NOT NULL,
    platform character varying(32) NOT NULL,
    order_id character varying(200),
    facts json NOT NULL,
    status character varying(32) NOT NULL,
    assignee character varying(200),
    created_at timestamp without time zone NOT NULL,
    updated_at timestamp without time zone NOT NULL,
    next_deadline timestamp without time zone,
    walk json NOT NULL,
    evidence json NOT NULL,
    drafts json NOT NULL,
    outcome character varying(64),
    root_causes json NOT NULL,
    revision integer NOT NULL
);


--
-- Name: events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.events (
    id bigint NOT NULL,
    case_id character varying(16) NOT NULL,
    seq integer NOT NULL,
    "time" timestamp without time zone NOT NULL,
    actor character varying(200) NOT NULL,
    type character varying(32) NOT NULL,
    step_id character varying(64),
    payload json NOT NULL
);


--
-- Name: events_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: events_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.events_id_seq OWNED BY public.events.id;


--
-- Name: schema_version; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schema_version (
    version integer NOT NULL,
    applied_at timestamp without time zone NOT NULL
);


--
-- Name: events id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.events ALTER COLUMN id SET DEFAULT nextval('public.events_id_seq'::regclass);


--
-- Data for Name: cases; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.cases VALUES ('legacy01', 'item-mismatch', 1, 'wish', '5f0000000000000000000001', '{"order_id": "5f0000000000000000000001", "buyer_name": "Test Buyer", "store_name": "Demo Store", "order_total": "19.99", "currency": "USD"}', 'waiting_buyer', NULL, '2026-11-20 09:03:00', '2026-11-20 09:06:00', NULL, '{"scenario": "item-mismatch", "version": 1, "path": ["contact-buyer", "confirm-order"], "answers": {"contact-buyer": ""}}', '{"x-photo": true}', '[]', NULL, '[]', 4);
INSERT INTO public.cases VALUES ('legacy02', 'unfulfilled-order', 1, 'wish', '5f0000000000000000000002', '{"order_id": "5f0000000000000000000002", "buyer_name": "B", "store_name": "S", "released_at": "2026-11-18T08:00:00+00:00"}', 'open', NULL, '2026-11-20 09:08:00', '2026-11-20 09:08:00', '2026-11-23 08:00:00', '{"scenario": "unfulfilled-order", "version": 1, "path": ["find-cause"], "answers": {}}', '{}', '[]', NULL, '[]', 1);


--
-- Data for Name: events; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.events VALUES (1, 'legacy01', 1, '2026-11-20 09:03:00', 'Legacy Li', 'created', 'contact-buyer', '{"version": 1, "facts": {"order_id": "5f0000000000000000000001", "buyer_name": "Test Buyer", "store_name": "Demo Store", "order_total": "19.99", "currency": "USD"}, "assignee": null}');
INSERT INTO public.events VALUES (2, 'legacy01', 2, '2026-11-20 09:04:00', 'Legacy Li', 'answer', 'contact-buyer', '{"option": "", "to": "confirm-order", "version": 1}');
INSERT INTO public.events VALUES (3, 'legacy01', 3, '2026-11-20 09:05:00', 'Legacy Li', 'note', NULL, '{"text": "made by release 0.1.0"}');
INSERT INTO public.events VALUES (4, 'legacy01', 4, '2026-11-20 09:06:00', 'Legacy Li', 'evidence', NULL, '{"item": "x-photo", "done": true}');
INSERT INTO public.events VALUES (5, 'legacy02', 1, '2026-11-20 09:08:00', 'Legacy Li', 'created', 'find-cause', '{"version": 1, "facts": {"order_id": "5f0000000000000000000002", "buyer_name": "B", "store_name": "S", "released_at": "2026-11-18T08:00:00+00:00"}, "assignee": null}');


--
-- Data for Name: schema_version; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.schema_version VALUES (1, '2026-11-20 09:01:00');


--
-- Name: events_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.events_id_seq', 5, true);


--
-- Name: cases cases_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.cases
    ADD CONSTRAINT cases_pkey PRIMARY KEY (id);


--
-- Name: events events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.events
    ADD CONSTRAINT events_pkey PRIMARY KEY (id);


--
-- Name: schema_version schema_version_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.schema_version
    ADD CONSTRAINT schema_version_pkey PRIMARY KEY (version);


--
-- Name: events uq_events_case_seq; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.events
    ADD CONSTRAINT uq_events_case_seq UNIQUE (case_id, seq);


--
-- Name: ix_cases_assignee_due; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_cases_assignee_due ON public.cases USING btree (assignee, next_deadline, updated_at);


--
-- Name: ix_cases_due; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_cases_due ON public.cases USING btree (next_deadline, updated_at);


--
-- Name: ix_cases_order; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_cases_order ON public.cases USING btree (order_id);


--
-- Name: ix_cases_scenario_due; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_cases_scenario_due ON public.cases USING btree (scenario_id, next_deadline, updated_at);


--
-- Name: ix_cases_status_due; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_cases_status_due ON public.cases USING btree (status, next_deadline, updated_at);


--
-- Name: events events_case_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.events
    ADD CONSTRAINT events_case_id_fkey FOREIGN KEY (case_id) REFERENCES public.cases(id);


--
-- PostgreSQL database dump complete
--

\unrestrict 95l96QfaTaHnRAbubi0DkG8h8N539KUnWAWwF6QfMm23adNI9AwfDmXfPprvEqh

