// A QuickFIX/C++ FIX 4.4 initiator driven by commands on stdin, used as the real
// external peer of tapewatch's drop-copy acceptor in tests and benchmarks.
//
//   init SETTINGS_FILE [null-store]
// (null-store: QuickFIX's NullStore instead of FileStore, for throughput runs where
// nothing needs to be resent)
// Commands (one per line):
//   er EXECID ORDERID EXECTYPE SIDE PRICE QTY ACCOUNT SYMBOL [TRANSACTTIME]
//        execution report; ACCOUNT is sent as a party (448, role 452=24), not tag 1
//   burst N SYMBOL      N fill reports as fast as QuickFIX will take them
//   disconnect          drop the TCP connection without a Logout (QuickFIX reconnects)
//   logout              orderly Logout; the session stays down until `logon`
//   logon               enable the session again and wait for the Logon answer
//   wait                wait until logged on
//   quit                stop and exit
// It prints LOGGED_ON / LOGGED_OUT as they happen and OK after every command.
#include <quickfix/Application.h>
#include <quickfix/FileStore.h>
#include <quickfix/NullStore.h>
#include <quickfix/Session.h>
#include <quickfix/SessionSettings.h>
#include <quickfix/SocketInitiator.h>
#include <quickfix/fix44/ExecutionReport.h>

#include <atomic>
#include <cstdio>
#include <chrono>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>

class App : public FIX::Application {
 public:
  std::atomic<bool> loggedOn{false};
  void onCreate(const FIX::SessionID&) override {}
  void onLogon(const FIX::SessionID&) override {
    loggedOn = true;
    std::cout << "LOGGED_ON" << std::endl;
  }
  void onLogout(const FIX::SessionID&) override {
    loggedOn = false;
    std::cout << "LOGGED_OUT" << std::endl;
  }
  void toAdmin(FIX::Message&, const FIX::SessionID&) override {}
  // Debian's headers still carry dynamic exception specifications on these three.
  void toApp(FIX::Message&, const FIX::SessionID&) throw(FIX::DoNotSend) override {}
  void fromAdmin(const FIX::Message&, const FIX::SessionID&) throw(
      FIX::FieldNotFound, FIX::IncorrectDataFormat, FIX::IncorrectTagValue, FIX::RejectLogon) override {}
  void fromApp(const FIX::Message&, const FIX::SessionID&) throw(
      FIX::FieldNotFound, FIX::IncorrectDataFormat, FIX::IncorrectTagValue,
      FIX::UnsupportedMessageType) override {}
};

static FIX44::ExecutionReport report(const std::string& execId, const std::string& orderId, char execType,
                                     char side, double price, double qty, const std::string& account,
                                     const std::string& symbol, const std::string& transactTime) {
  const bool fill = execType == 'F';
  const char status = fill ? '2' : execType;
  FIX44::ExecutionReport er(FIX::OrderID(orderId), FIX::ExecID(execId), FIX::ExecType(execType),
                            FIX::OrdStatus(status), FIX::Side(side), FIX::LeavesQty(fill || execType == '4' ? 0 : qty),
                            FIX::CumQty(fill ? qty : 0), FIX::AvgPx(fill ? price : 0));
  er.set(FIX::ClOrdID(orderId));
  er.set(FIX::Symbol(symbol));
  er.set(FIX::OrderQty(qty));
  er.set(FIX::OrdType(FIX::OrdType_LIMIT));
  er.set(FIX::Price(price));
  if (fill) {
    er.set(FIX::LastPx(price));
    er.set(FIX::LastQty(qty));
  }
  er.setField(60, transactTime);
  FIX44::ExecutionReport::NoPartyIDs party;
  party.set(FIX::PartyID(account));
  party.set(FIX::PartyIDSource('D'));
  party.set(FIX::PartyRole(24));
  er.addGroup(party);
  return er;
}

static void waitFor(App& app, bool state) {
  for (int i = 0; i < 3000 && app.loggedOn != state; i++) std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::cerr << "usage: init SETTINGS_FILE [null-store]" << std::endl;
    return 2;
  }
  const bool nullStore = argc == 3 && std::string(argv[2]) == "null-store";
  try {
    FIX::SessionSettings settings(argv[1]);
    App app;
    FIX::FileStoreFactory fileStore(settings);
    FIX::NullStoreFactory noStore;
    FIX::SocketInitiator initiator(app, nullStore ? static_cast<FIX::MessageStoreFactory&>(noStore)
                                                  : static_cast<FIX::MessageStoreFactory&>(fileStore),
                                   settings);
    initiator.start();
    const FIX::SessionID id = *settings.getSessions().begin();
    waitFor(app, true);
    std::string line;
    while (std::getline(std::cin, line)) {
      std::istringstream in(line);
      std::string cmd;
      in >> cmd;
      FIX::Session* session = FIX::Session::lookupSession(id);
      if (cmd == "er") {
        std::string execId, orderId, execType, side, account, symbol, transactTime;
        double price, qty;
        in >> execId >> orderId >> execType >> side >> price >> qty >> account >> symbol >> transactTime;
        if (transactTime.empty()) transactTime = "20240301-12:00:00.000000";
        FIX44::ExecutionReport er = report(execId, orderId, execType[0], side == "buy" ? '1' : '2', price, qty,
                                           account, symbol, transactTime);
        FIX::Session::sendToTarget(er, id);
      } else if (cmd == "burst") {
        long n = 0;
        std::string symbol;
        in >> n >> symbol;
        for (long i = 0; i < n; i++) {
          // One millisecond apart in event time, as a real burst would be.
          char transactTime[32];
          std::snprintf(transactTime, sizeof transactTime, "20240301-%02ld:%02ld:%02ld.%03ld000", 12 + (i / 3600000) % 12,
                        (i / 60000) % 60, (i / 1000) % 60, i % 1000);
          FIX44::ExecutionReport er = report("b" + std::to_string(i), "bo" + std::to_string(i), 'F',
                                             i % 2 ? '1' : '2', 100 + (i % 50) * 0.5, 1 + i % 7, "acct-" + std::to_string(i % 16),
                                             symbol, transactTime);
          FIX::Session::sendToTarget(er, id);
        }
      } else if (cmd == "disconnect") {
        session->disconnect();
        waitFor(app, false);
      } else if (cmd == "logout") {
        session->logout("test logout");
        waitFor(app, false);
      } else if (cmd == "logon") {
        session->logon();
        waitFor(app, true);
      } else if (cmd == "wait") {
        waitFor(app, true);
      } else if (cmd == "quit") {
        break;
      }
      std::cout << "OK " << cmd << std::endl;
    }
    initiator.stop();
    std::cout << "BYE" << std::endl;
  } catch (std::exception& e) {
    std::cerr << "init: " << e.what() << std::endl;
    return 1;
  }
  return 0;
}
