/** The few `chrome.*` APIs this example uses (so the repo needs no @types/chrome). */

declare namespace chrome {
  namespace runtime {
    const id: string;
    function getURL(path: string): string;
    function sendMessage<T = unknown>(message: unknown): Promise<T>;
    function getContexts(filter: { contextTypes?: string[]; documentUrls?: string[] }): Promise<unknown[]>;
    interface MessageSender { tab?: tabs.Tab; url?: string }
    const onMessage: {
      addListener(cb: (message: unknown, sender: MessageSender, sendResponse: (response: unknown) => void) => boolean | void): void;
    };
    const onInstalled: { addListener(cb: () => void): void };
  }
  namespace offscreen {
    function createDocument(options: { url: string; reasons: string[]; justification: string }): Promise<void>;
  }
  namespace storage {
    const local: {
      get(key: string): Promise<Record<string, unknown>>;
      set(items: Record<string, unknown>): Promise<void>;
    };
  }
  namespace tabs {
    interface Tab { id?: number; url?: string; title?: string }
    function query(query: { active?: boolean; currentWindow?: boolean }): Promise<Tab[]>;
    function get(tabId: number): Promise<Tab>;
  }
  namespace scripting {
    function executeScript<T>(options: { target: { tabId: number }; func: () => T }): Promise<Array<{ result?: T }>>;
  }
  namespace contextMenus {
    function create(options: { id: string; title: string; contexts: string[] }): void;
    const onClicked: {
      addListener(cb: (info: { menuItemId: string | number; selectionText?: string; pageUrl?: string }, tab?: tabs.Tab) => void): void;
    };
  }
}
