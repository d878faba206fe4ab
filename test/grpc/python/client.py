"""A real external client of the tapewatch gRPC service, in Python with Debian's grpcio.

Run by test/grpc/python.test.ts with /usr/bin/python3 and stubs that protoc generated
from proto/ into STUBS_DIR. Prints one JSON object per step on stdout.

  client.py STUBS_DIR TARGET TOKEN MODE [N]
  MODE: scenario   ingest a small spoofing-shaped scenario, follow signals, read status
        throughput ingest N synthetic events and report events/s
"""
import json
import sys
import threading
import time

sys.path.insert(0, sys.argv[1])

import grpc  # noqa: E402
from tapewatch.v1 import cases_pb2, events_pb2, service_pb2, service_pb2_grpc  # noqa: E402

TARGET, TOKEN, MODE = sys.argv[2], sys.argv[3], sys.argv[4]
METADATA = (("authorization", f"Bearer {TOKEN}"),)
BASE_TS = 1_700_000_000_000_000


def order(ts, order_id, account, side, price, qty):
    return events_pb2.Event(
        ts=ts, venue="pyex", instrument="PY-USDT",
        order_new=events_pb2.OrderNew(order_id=order_id, account=account, side=side, price=price, qty=qty,
                                      type=events_pb2.ORDER_TYPE_LIMIT))


def trade(ts, trade_id, price, qty, buyer, seller):
    return events_pb2.Event(
        ts=ts, venue="pyex", instrument="PY-USDT",
        trade=events_pb2.Trade(trade_id=trade_id, price=price, qty=qty, aggressor=events_pb2.SIDE_BUY,
                               buy_account=buyer, sell_account=seller))


def batches(events, source, size):
    seq = 0
    for i in range(0, len(events), size):
        seq += 1
        yield events_pb2.EventBatch(source=source, sequence=seq, events=events[i:i + size])


def scenario(stub):
    received = []
    ready = threading.Event()

    def follow():
        stream = stub.SubscribeSignals(service_pb2.SubscribeRequest(instruments=["PY-USDT"]), metadata=METADATA)
        ready.set()
        try:
            for s in stream:
                received.append({"id": s.id, "typology": s.typology, "accounts": list(s.accounts),
                                 "explanation": s.explanation, "score": s.score})
                if len(received) >= 1:
                    stream.cancel()
        except grpc.RpcError as e:
            if e.code() != grpc.StatusCode.CANCELLED:
                raise

    t = threading.Thread(target=follow)
    t.start()
    ready.wait()
    time.sleep(0.3)
    events = [
        order(BASE_TS, "p1", "py-spoofer", events_pb2.SIDE_SELL, 105.0, 80.0),
        trade(BASE_TS + 500_000, "pt1", 100.0, 75.0, "py-spoofer", "py-mm"),
        events_pb2.Event(ts=BASE_TS + 600_000, venue="pyex", instrument="PY-USDT",
                         quote=events_pb2.Quote(bid=-1.0, bid_qty=1.0, ask=2.0, ask_qty=1.0)),
    ]
    acks = list(stub.Ingest(batches(events, "python-client", 2), metadata=METADATA))
    print(json.dumps({"step": "ingest", "acks": [
        {"sequence": a.sequence, "accepted": a.accepted, "rejected": a.rejected,
         "errors": [{"index": e.index, "field": e.field, "reason": e.reason} for e in a.errors]} for a in acks]}),
          flush=True)
    t.join(timeout=10)
    print(json.dumps({"step": "signals", "signals": received}), flush=True)
    status = stub.Status(service_pb2.StatusRequest(), metadata=METADATA)
    print(json.dumps({"step": "status", "events": status.events, "signals": status.signals,
                      "sources": {s.source: {"accepted": s.accepted, "rejected": s.rejected} for s in status.sources}}),
          flush=True)
    investigate_case(stub)


def investigate_case(stub):
    """Finds the case the signal opened and takes it to investigating with a comment, as an analyst would."""
    page = None
    for _ in range(50):
        page = stub.ListCases(cases_pb2.ListCasesRequest(states=["open"]), metadata=METADATA)
        if page.total > 0:
            break
        time.sleep(0.1)
    case_id = page.cases[0].id
    stub.TransitionCase(cases_pb2.TransitionCaseRequest(id=case_id, action="triage"), metadata=METADATA)
    stub.TransitionCase(cases_pb2.TransitionCaseRequest(id=case_id, action="investigate",
                                                        note="fills on the other side to check"), metadata=METADATA)
    try:
        stub.TransitionCase(cases_pb2.TransitionCaseRequest(id=case_id, action="reopen"), metadata=METADATA)
        refused = None
    except grpc.RpcError as e:
        refused = e.code().name
    case = stub.GetCase(cases_pb2.GetCaseRequest(id=case_id), metadata=METADATA)
    print(json.dumps({"step": "case", "id": case.id, "state": case.state, "owner": case.owner,
                      "refused": refused,
                      "audit": [{"actor": a.actor, "action": a.action, "to": a.to, "note": a.note} for a in case.audit]}),
          flush=True)


def throughput(stub, n):
    batch_size = 2000
    # Pre-build the messages so the figure measures the service, not Python's message building.
    events = []
    for i in range(n):
        if i % 2 == 0:
            events.append(order(BASE_TS + i, f"o{i}", f"a{i % 100}", events_pb2.SIDE_BUY, 100.0 - (i % 50) * 0.01, 1.0))
        else:
            events.append(events_pb2.Event(ts=BASE_TS + i, venue="pyex", instrument="PY-USDT",
                                           order_cancel=events_pb2.OrderCancel(order_id=f"o{i - 1}", account=f"a{(i - 1) % 100}")))
    msgs = list(batches(events, "python-bench", batch_size))
    start = time.perf_counter()
    accepted = 0
    for ack in stub.Ingest(iter(msgs), metadata=METADATA):
        accepted += ack.accepted
    elapsed = time.perf_counter() - start
    print(json.dumps({"step": "throughput", "events": n, "accepted": accepted, "seconds": elapsed,
                      "eventsPerSecond": n / elapsed}), flush=True)


def main():
    options = [("grpc.max_send_message_length", 64 * 1024 * 1024), ("grpc.max_receive_message_length", 64 * 1024 * 1024)]
    with grpc.insecure_channel(TARGET, options=options) as channel:
        stub = service_pb2_grpc.TapewatchServiceStub(channel)
        if MODE == "scenario":
            scenario(stub)
        elif MODE == "throughput":
            throughput(stub, int(sys.argv[5]))
        else:
            raise SystemExit(f"unknown mode {MODE}")


if __name__ == "__main__":
    main()
