/**
 * The subset of the OTLP logs protocol LogSentinel reads and writes, written from the
 * opentelemetry-proto specification (`opentelemetry/proto/collector/logs/v1/logs_service.proto`,
 * `logs/v1/logs.proto`, `common/v1/common.proto`, `resource/v1/resource.proto`) and
 * `google/rpc/status.proto`. Field numbers are the wire contract; names follow the spec.
 *
 * Requests are decoded by walking the wire (proto-decoder.ts); these reflected types encode the
 * responses and, in tests, requests — two independent paths that must agree.
 */
import protobuf from 'protobufjs';

const SCHEMA = `
syntax = "proto3";
package opentelemetry.proto;

message ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
message ExportLogsServiceResponse { ExportLogsPartialSuccess partial_success = 1; }
message ExportLogsPartialSuccess { int64 rejected_log_records = 1; string error_message = 2; }

message ResourceLogs { Resource resource = 1; repeated ScopeLogs scope_logs = 2; string schema_url = 3; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message ScopeLogs { InstrumentationScope scope = 1; repeated LogRecord log_records = 2; string schema_url = 3; }
message InstrumentationScope {
  string name = 1; string version = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4;
}
message LogRecord {
  fixed64 time_unix_nano = 1;
  fixed64 observed_time_unix_nano = 11;
  int32 severity_number = 2; // enum SeverityNumber: 0 unspecified, 1-24 TRACE..FATAL4
  string severity_text = 3;
  AnyValue body = 5;
  repeated KeyValue attributes = 6;
  uint32 dropped_attributes_count = 7;
  fixed32 flags = 8;
  bytes trace_id = 9;
  bytes span_id = 10;
  string event_name = 12;
}

message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }

// google.rpc.Status, with google.protobuf.Any details: only google.rpc.RetryInfo is sent (throttling).
message Status { int32 code = 1; string message = 2; repeated Any details = 3; }
message Any { string type_url = 1; bytes value = 2; }
message Duration { int64 seconds = 1; int32 nanos = 2; }
message RetryInfo { Duration retry_delay = 1; }
`;

const root = protobuf.parse(SCHEMA).root;

/** `opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest` (camelCase field names). */
export const ExportLogsServiceRequestType: protobuf.Type = root.lookupType('opentelemetry.proto.ExportLogsServiceRequest');
/** `ExportLogsServiceResponse`. */
export const ExportLogsServiceResponseType: protobuf.Type = root.lookupType('opentelemetry.proto.ExportLogsServiceResponse');
/** `google.rpc.Status`. */
export const StatusType: protobuf.Type = root.lookupType('opentelemetry.proto.Status');
/** `google.rpc.RetryInfo`, packed into a Status detail when a request is throttled. */
export const RetryInfoType: protobuf.Type = root.lookupType('opentelemetry.proto.RetryInfo');

/** Wire numbers the decoders walk by. */
export const F = {
  request: { resourceLogs: 1 },
  resourceLogs: { resource: 1, scopeLogs: 2 },
  resource: { attributes: 1 },
  scopeLogs: { scope: 1, logRecords: 2 },
  scope: { name: 1, version: 2, attributes: 3 },
  record: {
    timeUnixNano: 1, severityNumber: 2, severityText: 3, body: 5, attributes: 6,
    flags: 8, traceId: 9, spanId: 10, observedTimeUnixNano: 11, eventName: 12,
  },
  anyValue: { string: 1, bool: 2, int: 3, double: 4, array: 5, kvlist: 6, bytes: 7 },
  arrayValue: { values: 1 },
  kvList: { values: 1 },
  keyValue: { key: 1, value: 2 },
} as const;
