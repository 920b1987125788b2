/// The API's OpenAPI 3.0 description, served at `/api/v1/openapi.json` (schemathesis checks
/// the server against it in the tests).
enum OpenAPIDocument {
    static let json = #"""
{
 "openapi": "3.0.3",
 "info": {
  "title": "netwatch API",
  "version": "1",
  "description": "Read-only. Field names are those of netwatch's JSON lines: conn records with Zeek's conn.log names, alerts with Suricata EVE's. With a token configured, send Authorization: Bearer <token>."
 },
 "servers": [{"url": "/"}],
 "components": {
  "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
  "schemas": {
   "Error": {
    "type": "object",
    "properties": {"error": {"type": "string"}},
    "required": ["error"],
    "additionalProperties": false
   },
   "Conn": {
    "type": "object",
    "properties": {
     "ts": {"type": "number"},
     "event_type": {"type": "string", "enum": ["conn", "new"]},
     "uid": {"type": "string"},
     "community_id": {"type": "string"},
     "id.orig_h": {"type": "string"},
     "id.orig_p": {"$ref": "#/components/schemas/Count"},
     "id.resp_h": {"type": "string"},
     "id.resp_p": {"$ref": "#/components/schemas/Count"},
     "proto": {"type": "string"},
     "service": {"type": "string"},
     "duration": {"type": "number"},
     "orig_bytes": {"$ref": "#/components/schemas/Count"},
     "resp_bytes": {"$ref": "#/components/schemas/Count"},
     "conn_state": {"type": "string"},
     "history": {"type": "string"},
     "orig_pkts": {"$ref": "#/components/schemas/Count"},
     "orig_ip_bytes": {"$ref": "#/components/schemas/Count"},
     "resp_pkts": {"$ref": "#/components/schemas/Count"},
     "resp_ip_bytes": {"$ref": "#/components/schemas/Count"},
     "vlan": {"$ref": "#/components/schemas/Count"},
     "interface": {"type": "string"},
     "pid": {"type": "integer", "nullable": true},
     "process": {"type": "string", "nullable": true},
     "end_reason": {"type": "string"}
    },
    "required": [
     "ts",
     "event_type",
     "uid",
     "community_id",
     "id.orig_h",
     "id.orig_p",
     "id.resp_h",
     "id.resp_p",
     "proto"
    ],
    "additionalProperties": true
   },
   "Alert": {
    "type": "object",
    "properties": {
     "alert_id": {"type": "integer"},
     "timestamp": {"type": "string"},
     "event_type": {"type": "string", "enum": ["alert", "alert_cleared", "alert_summary"]},
     "src_ip": {"type": "string"},
     "dest_ip": {"type": "string"},
     "alert": {"type": "object", "properties": {"signature": {"type": "string"}, "category": {"type": "string"}, "severity": {"type": "integer"}}, "additionalProperties": true}
    },
    "required": ["alert_id", "timestamp", "event_type", "alert"],
    "additionalProperties": true
   },
   "Top": {
    "type": "object",
    "properties": {
     "packets": {"$ref": "#/components/schemas/Count"},
     "bytes": {"$ref": "#/components/schemas/Count"},
     "flows": {"$ref": "#/components/schemas/Count"},
     "sent_bytes": {"$ref": "#/components/schemas/Count"},
     "received_bytes": {"$ref": "#/components/schemas/Count"}
    },
    "required": ["packets", "bytes", "flows"],
    "additionalProperties": true
   },
   "Bucket": {
    "type": "object",
    "properties": {
     "timestamp": {"type": "string"},
     "interval": {"type": "integer", "enum": [1, 60, 3600]},
     "interface": {"type": "string"},
     "packets": {"$ref": "#/components/schemas/Count"},
     "bytes": {"$ref": "#/components/schemas/Count"},
     "tcp": {"$ref": "#/components/schemas/Count"},
     "udp": {"$ref": "#/components/schemas/Count"},
     "icmp": {"$ref": "#/components/schemas/Count"},
     "other": {"$ref": "#/components/schemas/Count"},
     "dropped": {"$ref": "#/components/schemas/Count"},
     "tcp_bytes": {"$ref": "#/components/schemas/Count"},
     "udp_bytes": {"$ref": "#/components/schemas/Count"},
     "icmp_bytes": {"$ref": "#/components/schemas/Count"}
    },
    "required": ["timestamp", "interval", "packets", "bytes"],
    "additionalProperties": true
   },
   "Run": {
    "type": "object",
    "properties": {
     "run": {"type": "integer"},
     "started": {"type": "string"},
     "ended": {"type": "string"},
     "command": {"type": "string"},
     "interfaces": {"type": "string"},
     "file": {"type": "string"},
     "filter": {"type": "string"},
     "host": {"type": "string"},
     "version": {"type": "string"},
     "packets": {"$ref": "#/components/schemas/Count"},
     "bytes": {"$ref": "#/components/schemas/Count"},
     "dropped": {"$ref": "#/components/schemas/Count"},
     "flows": {"$ref": "#/components/schemas/Count"},
     "alerts": {"$ref": "#/components/schemas/Count"},
     "records_dropped": {"$ref": "#/components/schemas/Count"}
    },
    "required": ["run", "started", "command", "host", "version"],
    "additionalProperties": true
   },
   "Count": {"type": "integer", "minimum": 0}
  },
  "responses": {
   "BadRequest": {
    "description": "a bad parameter",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
   },
   "Unavailable": {
    "description": "the history database cannot be read",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
   },
   "NotFound": {
    "description": "not found",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
   }
  },
  "parameters": {
   "Since": {
    "name": "since",
    "in": "query",
    "required": false,
    "description": "from this time",
    "schema": {
     "type": "string",
     "maxLength": 32,
     "description": "seconds since the epoch, or an age before now: 90s, 15m, 2h, 7d"
    }
   },
   "Until": {
    "name": "until",
    "in": "query",
    "required": false,
    "description": "up to this time (before it)",
    "schema": {
     "type": "string",
     "maxLength": 32,
     "description": "seconds since the epoch, or an age before now: 90s, 15m, 2h, 7d"
    }
   },
   "Host": {
    "name": "host",
    "in": "query",
    "required": false,
    "description": "either end",
    "schema": {"type": "string", "maxLength": 64, "anyOf": [{"format": "ipv4"}, {"format": "ipv6"}]}
   },
   "Limit": {
    "name": "limit",
    "in": "query",
    "required": false,
    "description": "at most this many",
    "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 50}
   },
   "Offset": {
    "name": "offset",
    "in": "query",
    "required": false,
    "description": "skip this many (paging; newest first)",
    "schema": {"type": "integer", "minimum": 0, "maximum": 1000000}
   }
  }
 },
 "security": [{}, {"bearer": []}],
 "paths": {
  "/api/v1/flows": {
   "get": {
    "summary": "Connections: recorded (conn records) and open now, newest first",
    "operationId": "flows",
    "parameters": [
     {"$ref": "#/components/parameters/Since"},
     {"$ref": "#/components/parameters/Until"},
     {"$ref": "#/components/parameters/Host"},
     {"name": "port", "in": "query", "required": false, "description": "either end's port", "schema": {"type": "integer", "minimum": 0, "maximum": 65535}},
     {"name": "proto", "in": "query", "required": false, "description": "transport", "schema": {"type": "string", "enum": ["tcp", "udp", "icmp"]}},
     {"name": "state", "in": "query", "required": false, "description": "Zeek conn_state", "schema": {"type": "string", "enum": ["S0", "S1", "SF", "REJ", "S2", "S3", "RSTO", "RSTR", "RSTOS0", "RSTRH", "SH", "SHR", "OTH"]}},
     {"name": "process", "in": "query", "required": false, "description": "local process name", "schema": {"type": "string", "maxLength": 256}},
     {"name": "community_id", "in": "query", "required": false, "description": "Community ID", "schema": {"type": "string", "maxLength": 64}},
     {"name": "uid", "in": "query", "required": false, "description": "the flow's uid", "schema": {"type": "string", "maxLength": 32}},
     {"name": "sensor", "in": "query", "required": false, "description": "one sensor's records (a central PostgreSQL; not read over a SQLite file)", "schema": {"type": "string", "maxLength": 64}},
     {"$ref": "#/components/parameters/Limit"},
     {"$ref": "#/components/parameters/Offset"}
    ],
    "responses": {
     "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object", "properties": {"flows": {"type": "array", "items": {"$ref": "#/components/schemas/Conn"}}, "open": {"type": "array", "items": {"$ref": "#/components/schemas/Conn"}}, "open_matched": {"$ref": "#/components/schemas/Count"}, "limit": {"$ref": "#/components/schemas/Count"}, "offset": {"$ref": "#/components/schemas/Count"}}, "required": ["flows", "open", "open_matched", "limit", "offset"], "additionalProperties": true}}}},
     "400": {"$ref": "#/components/responses/BadRequest"},
     "503": {"$ref": "#/components/responses/Unavailable"}
    }
   }
  },
  "/api/v1/flows/{uid}": {
   "get": {
    "summary": "One connection by uid",
    "operationId": "flow",
    "parameters": [
     {"name": "uid", "in": "path", "required": true, "description": "the flow's uid", "schema": {"type": "string", "maxLength": 32}}
    ],
    "responses": {
     "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object", "properties": {"flow": {"$ref": "#/components/schemas/Conn"}, "open": {"type": "boolean"}}, "required": ["flow", "open"], "additionalProperties": true}}}},
     "404": {"$ref": "#/components/responses/NotFound"},
     "503": {"$ref": "#/components/responses/Unavailable"}
    }
   }
  },
  "/api/v1/alerts": {
   "get": {
    "summary": "Alerts, summaries and clearings, newest first",
    "operationId": "alerts",
    "parameters": [
     {"$ref": "#/components/parameters/Since"},
     {"$ref": "#/components/parameters/Until"},
     {"name": "signature", "in": "query", "required": false, "description": "the signature", "schema": {"type": "string", "maxLength": 256}},
     {"name": "sensor", "in": "query", "required": false, "description": "one sensor's records (a central PostgreSQL; not read over a SQLite file)", "schema": {"type": "string", "maxLength": 64}},
     {"name": "host", "in": "query", "required": false, "description": "source or destination", "schema": {"type": "string", "maxLength": 64, "anyOf": [{"format": "ipv4"}, {"format": "ipv6"}]}},
     {"$ref": "#/components/parameters/Limit"},
     {"$ref": "#/components/parameters/Offset"}
    ],
    "responses": {
     "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object", "properties": {"alerts": {"type": "array", "items": {"$ref": "#/components/schemas/Alert"}}}, "required": ["alerts"], "additionalProperties": true}}}},
     "400": {"$ref": "#/components/responses/BadRequest"},
     "503": {"$ref": "#/components/responses/Unavailable"}
    }
   }
  },
  "/api/v1/alerts/{id}": {
   "get": {
    "summary": "One alert and the flows it concerns",
    "operationId": "alert",
    "parameters": [
     {"name": "id", "in": "path", "required": true, "description": "the alert's alert_id", "schema": {"type": "integer", "minimum": 1}}
    ],
    "responses": {
     "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object", "properties": {"alert": {"$ref": "#/components/schemas/Alert"}, "flows": {"type": "array", "items": {"$ref": "#/components/schemas/Conn"}}}, "required": ["alert", "flows"], "additionalProperties": true}}}},
     "400": {"$ref": "#/components/responses/BadRequest"},
     "404": {"$ref": "#/components/responses/NotFound"},
     "503": {"$ref": "#/components/responses/Unavailable"}
    }
   }
  },
  "/api/v1/hosts/{ip}": {
   "get": {
    "summary": "A host over the last 24 hours: names, country/AS, traffic, ports, peers, alerts, activity",
    "operationId": "host",
    "parameters": [
     {"name": "ip", "in": "path", "required": true, "description": "an IPv4 or IPv6 address", "schema": {"type": "string", "maxLength": 64, "anyOf": [{"format": "ipv4"}, {"format": "ipv6"}]}}
    ],
    "responses": {
     "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object", "properties": {"ip": {"type": "string"}, "names": {"type": "array", "items": {"type": "string"}}, "country": {"type": "string"}, "asn": {"$ref": "#/components/schemas/Count"}, "as_org": {"type": "string"}, "since": {"type": "string"}, "until": {"type": "string"}, "flows": {"$ref": "#/components/schemas/Count"}, "sent_bytes": {"$ref": "#/components/schemas/Count"}, "received_bytes": {"$ref": "#/components/schemas/Count"}, "ports": {"type": "array", "items": {"type": "object", "properties": {"port": {"type": "string"}, "packets": {"$ref": "#/components/schemas/Count"}, "bytes": {"$ref": "#/components/schemas/Count"}, "flows": {"$ref": "#/components/schemas/Count"}}, "additionalProperties": true}}, "peers": {"type": "array", "items": {"type": "object", "properties": {"host": {"type": "string"}, "packets": {"$ref": "#/components/schemas/Count"}, "bytes": {"$ref": "#/components/schemas/Count"}, "flows": {"$ref": "#/components/schemas/Count"}}, "additionalProperties": true}}, "alerts": {"type": "array", "items": {"$ref": "#/components/schemas/Alert"}}, "activity": {"type": "object", "properties": {"start": {"type": "string"}, "interval": {"$ref": "#/components/schemas/Count"}, "bytes": {"type": "array", "items": {"$ref": "#/components/schemas/Count"}}}, "additionalProperties": true}, "ptr": {"type": "string"}, "sensors": {"type": "array", "items": {"type": "object", "additionalProperties": true}}}, "required": ["ip", "names", "flows", "ports", "peers", "alerts", "activity"], "additionalProperties": true}}}},
     "400": {"$ref": "#/components/responses/BadRequest"},
     "503": {"$ref": "#/components/responses/Unavailable"}
    }
   }
  },
  "/api/v1/series": {
   "get": {
    "summary": "Packets and bytes per second, minute or hour (buckets that saw traffic)",
    "operationId": "series",
    "parameters": [
     {"$ref": "#/components/parameters/Since"},
     {"$ref": "#/components/parameters/Until"},
     {"name": "per", "in": "query", "required": false, "description": "bucket", "schema": {"type": "string", "enum": ["second", "minute", "hour"], "default": "minute"}},
     {"name": "interface", "in": "query", "required": false, "description": "one capture interface", "schema": {"type": "string", "maxLength": 64}}
    ],
    "responses": {
     "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object", "properties": {"series": {"type": "array", "items": {"$ref": "#/components/schemas/Bucket"}}}, "required": ["series"], "additionalProperties": true}}}},
     "400": {"$ref": "#/components/responses/BadRequest"},
     "503": {"$ref": "#/components/responses/Unavailable"}
    }
   }
  },
  "/api/v1/top/{kind}": {
   "get": {
    "summary": "A top list (as history top)",
    "operationId": "top",
    "parameters": [
     {"name": "kind", "in": "path", "required": true, "description": "what to rank", "schema": {"type": "string", "enum": ["hosts", "ports", "conversations", "processes", "countries", "services", "states", "networks"]}},
     {"$ref": "#/components/parameters/Since"},
     {"$ref": "#/components/parameters/Until"},
     {"name": "by", "in": "query", "required": false, "description": "rank by", "schema": {"type": "string", "enum": ["bytes", "packets"], "default": "bytes"}},
     {"name": "n", "in": "query", "required": false, "description": "entries", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 10}}
    ],
    "responses": {
     "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object", "properties": {"top": {"type": "array", "items": {"$ref": "#/components/schemas/Top"}}}, "required": ["top"], "additionalProperties": true}}}},
     "400": {"$ref": "#/components/responses/BadRequest"},
     "503": {"$ref": "#/components/responses/Unavailable"}
    }
   }
  },
  "/api/v1/sensors": {
   "get": {
    "summary": "The fleet (a central PostgreSQL): per sensor, its runs, conn records, packets, bytes and alerts in the range; with host, of that address only",
    "operationId": "sensors",
    "parameters": [
     {"$ref": "#/components/parameters/Since"},
     {"$ref": "#/components/parameters/Until"},
     {"$ref": "#/components/parameters/Host"}
    ],
    "responses": {
     "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object", "properties": {"sensors": {"type": "array", "items": {"type": "object", "properties": {"sensor": {"type": "string"}, "runs": {"$ref": "#/components/schemas/Count"}, "flows": {"$ref": "#/components/schemas/Count"}, "packets": {"$ref": "#/components/schemas/Count"}, "bytes": {"$ref": "#/components/schemas/Count"}, "alerts": {"$ref": "#/components/schemas/Count"}, "first": {"type": "string", "format": "date-time"}, "last": {"type": "string", "format": "date-time"}}, "required": ["sensor", "runs", "flows", "packets", "bytes", "alerts"], "additionalProperties": true}}}, "required": ["sensors"], "additionalProperties": true}}}},
     "400": {"$ref": "#/components/responses/BadRequest"},
     "404": {"$ref": "#/components/responses/NotFound"},
     "503": {"$ref": "#/components/responses/Unavailable"}
    }
   }
  },
  "/api/v1/runs": {
   "get": {
    "summary": "The runs recorded",
    "operationId": "runs",
    "responses": {
     "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object", "properties": {"runs": {"type": "array", "items": {"$ref": "#/components/schemas/Run"}}}, "required": ["runs"], "additionalProperties": true}}}},
     "503": {"$ref": "#/components/responses/Unavailable"}
    }
   }
  },
  "/api/v1/processes": {
   "get": {
    "summary": "Traffic per local process: recorded (24 h) and this run's",
    "operationId": "processes",
    "responses": {
     "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object", "properties": {"processes": {"type": "array", "items": {"$ref": "#/components/schemas/Top"}}, "live": {"type": "array", "nullable": true, "items": {"type": "object", "properties": {"process": {"type": "string"}, "open": {"$ref": "#/components/schemas/Count"}, "flows": {"$ref": "#/components/schemas/Count"}, "packets": {"$ref": "#/components/schemas/Count"}, "bytes": {"$ref": "#/components/schemas/Count"}}, "additionalProperties": true}}}, "required": ["processes", "live"], "additionalProperties": true}}}},
     "503": {"$ref": "#/components/responses/Unavailable"}
    }
   }
  },
  "/api/v1/live": {
   "get": {
    "summary": "The run's totals now (monitor) or the database's last six hours (serve)",
    "operationId": "live",
    "responses": {
     "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object", "properties": {"timestamp": {"type": "string"}, "live": {"type": "boolean"}, "packets": {"$ref": "#/components/schemas/Count"}, "bytes": {"$ref": "#/components/schemas/Count"}, "dropped": {"$ref": "#/components/schemas/Count"}, "flows_active": {"$ref": "#/components/schemas/Count"}, "flows_ended": {"$ref": "#/components/schemas/Count"}, "alerts": {"$ref": "#/components/schemas/Count"}, "packets_per_second": {"$ref": "#/components/schemas/Count"}, "bytes_per_second": {"$ref": "#/components/schemas/Count"}}, "required": ["timestamp", "live", "packets", "bytes"], "additionalProperties": true}}}},
     "503": {"$ref": "#/components/responses/Unavailable"}
    }
   }
  },
  "/api/v1/openapi.json": {
   "get": {
    "summary": "This document",
    "operationId": "openapi",
    "responses": {
     "200": {"description": "OpenAPI 3.0", "content": {"application/json": {"schema": {"type": "object"}}}}
    }
   }
  }
 }
}
"""#
}
