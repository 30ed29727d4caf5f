/**
 * The parts of playwright-core the e2e tests use, typed here because playwright-core is not a
 * dependency of this project (it is loaded from the provisioned n8n runtime).
 */

/** A DOM element, typed loosely: this project has no DOM typings. */
export type DomElement = { [property: string]: unknown };

export interface Locator {
	first(): Locator;
	last(): Locator;
	nth(index: number): Locator;
	locator(selector: string): Locator;
	getByText(text: string | RegExp, options?: { exact?: boolean }): Locator;
	click(options?: object): Promise<void>;
	hover(options?: object): Promise<void>;
	fill(value: string): Promise<void>;
	count(): Promise<number>;
	isVisible(): Promise<boolean>;
	innerText(): Promise<string>;
	inputValue(): Promise<string>;
	allInnerTexts(): Promise<string[]>;
	waitFor(options?: { state?: 'attached' | 'detached' | 'visible' | 'hidden'; timeout?: number }): Promise<void>;
	/** Runs `fn` in the page on the element. */
	evaluate<R>(fn: (element: DomElement) => R): Promise<R>;
	filter(options: { hasText: string | RegExp }): Locator;
}

export interface Page {
	goto(url: string, options?: object): Promise<unknown>;
	locator(selector: string): Locator;
	getByText(text: string | RegExp, options?: { exact?: boolean }): Locator;
	getByLabel(text: string, options?: { exact?: boolean }): Locator;
	getByRole(role: string, options: { name: string }): Locator;
	fill(selector: string, value: string): Promise<void>;
	keyboard: { press(key: string): Promise<void> };
	mouse: { move(x: number, y: number): Promise<void> };
	waitForURL(url: RegExp, options?: object): Promise<void>;
	waitForTimeout(ms: number): Promise<void>;
	screenshot(options: { path: string; fullPage?: boolean }): Promise<unknown>;
	setDefaultTimeout(ms: number): void;
	on(event: 'console' | 'pageerror', listener: (value: { type?: () => string; text?: () => string; message?: string; stack?: string }) => void): void;
	url(): string;
	close(): Promise<void>;
}

export interface BrowserContext {
	newPage(): Promise<Page>;
	waitForEvent(event: 'page', options: { timeout: number }): Promise<Page>;
	close(): Promise<void>;
}

export interface Browser {
	newContext(options?: object): Promise<BrowserContext>;
	close(): Promise<void>;
}

export interface Playwright {
	chromium: { launch(options: object): Promise<Browser> };
}
