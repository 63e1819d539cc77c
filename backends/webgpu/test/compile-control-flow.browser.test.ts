/** The webgpu control-flow and sampling tests (compiled cond, bounded whileLoop, scan, multinomial) in headless Chromium on navigator.gpu. */
import "./compile-control-flow.test.js";
