#include "decode/event_fields.h"

#include "decode/schema.h"

namespace tetrars {

const EventFields& EventFields::Get() {
  static const EventFields fields = [] {
    EventFields f;
    wire::CompileEventPath("process.auid", &f.process_auid);
    wire::CompileEventPath("process.uid", &f.process_uid);
    wire::CompileEventPath("process.pid", &f.process_pid);
    wire::CompileEventPath("process.binary", &f.process_binary);
    wire::CompileEventPath("process.exec_id", &f.process_exec_id);
    wire::CompileEventPath("parent.auid", &f.parent_auid);
    wire::CompileEventPath("parent.uid", &f.parent_uid);
    wire::CompileEventPath("parent.binary", &f.parent_binary);
    const schema::Message& root = schema::EventsResponse();
    wire::CompilePath(root, "node_name", &f.node_name);
    wire::CompilePath(root, "time.seconds", &f.time_seconds);
    wire::CompilePath(root, "time.nanos", &f.time_nanos);
    return f;
  }();
  return fields;
}

wire::Scalar Read(wire::Walker& walker, const Event& event, const wire::Path& path) {
  return walker.Find(schema::EventsResponse(), event.data, event.size, path);
}

}  // namespace tetrars
