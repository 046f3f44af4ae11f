<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AboutDialog</name>
    <message>
        <location filename="../../app/ui/shell/about_dialog.py" line="135"/>
        <source>About Ponder</source>
        <translation>关于 Ponder</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/about_dialog.py" line="136"/>
        <source>Ponder %1</source>
        <translation>Ponder %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/about_dialog.py" line="138"/>
        <source>A desktop tutor for math and code that runs a small reasoning model on this computer, offline.</source>
        <translation>一款桌面数学与编程辅导应用，在这台电脑上离线运行一个小型推理模型。</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/about_dialog.py" line="140"/>
        <source>Version:</source>
        <translation>版本：</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/about_dialog.py" line="140"/>
        <source>Built with:</source>
        <translation>构建于：</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/about_dialog.py" line="140"/>
        <source>llama.cpp:</source>
        <translation>llama.cpp：</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/about_dialog.py" line="141"/>
        <source>Model in use:</source>
        <translation>当前模型：</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/about_dialog.py" line="141"/>
        <source>Model licence:</source>
        <translation>模型许可证：</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/about_dialog.py" line="146"/>
        <source>llama-cpp-python %1, backends: %2</source>
        <translation>llama-cpp-python %1，后端：%2</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/about_dialog.py" line="149"/>
        <source>not installed</source>
        <translation>未安装</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/about_dialog.py" line="152"/>
        <source> on %1</source>
        <translation>（运行于 %1）</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/about_dialog.py" line="155"/>
        <source>none loaded</source>
        <translation>未加载</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/about_dialog.py" line="159"/>
        <source>not stated in the model file</source>
        <translation>模型文件中未注明</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/about_dialog.py" line="162"/>
        <source>Third-party licences:</source>
        <translation>第三方许可证：</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/about_dialog.py" line="163"/>
        <source>Open licences folder</source>
        <translation>打开许可证文件夹</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/about_dialog.py" line="165"/>
        <source>Ponder version</source>
        <translation>Ponder 版本</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/about_dialog.py" line="166"/>
        <source>Python and Qt versions</source>
        <translation>Python 与 Qt 版本</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/about_dialog.py" line="167"/>
        <source>llama.cpp build and backend</source>
        <translation>llama.cpp 构建与后端</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/about_dialog.py" line="168"/>
        <source>Model in use</source>
        <translation>当前模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/about_dialog.py" line="169"/>
        <source>Model licence</source>
        <translation>模型许可证</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/about_dialog.py" line="170"/>
        <source>Third-party licences</source>
        <translation>第三方许可证</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/about_dialog.py" line="171"/>
        <source>Open the folder with the licence texts</source>
        <translation>打开存放许可证全文的文件夹</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/about_dialog.py" line="176"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>ApiControl</name>
    <message>
        <location filename="../../app/ui/shell/api_control.py" line="104"/>
        <source>On at %1</source>
        <translation>已开启：%1</translation>
    </message>
</context>
<context>
    <name>ChatController</name>
    <message>
        <location filename="../../app/ui/shell/controller.py" line="136"/>
        <source>Loading the model…</source>
        <translation>正在加载模型…</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/controller.py" line="160"/>
        <source>New chat</source>
        <translation>新对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/controller.py" line="383"/>
        <source>Edit message</source>
        <translation>编辑消息</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/controller.py" line="384"/>
        <source>Your message:</source>
        <translation>你的消息：</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/conversation_files.py" line="50"/>
        <source>The file could not be written (%1). Choose another folder.</source>
        <translation>无法写入文件（%1）。请选择其他文件夹。</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/controller.py" line="441"/>
        <source>Ponder</source>
        <translation>Ponder</translation>
    </message>
</context>
<context>
    <name>ChatView</name>
    <message>
        <location filename="../../app/ui/chat/chat_view.py" line="171"/>
        <location filename="../../app/ui/chat/chat_view.py" line="172"/>
        <source>Show earlier messages</source>
        <translation>显示更早的消息</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/chat_view.py" line="173"/>
        <source>Conversation</source>
        <translation>对话内容</translation>
    </message>
</context>
<context>
    <name>CodeBlock</name>
    <message>
        <location filename="../../app/ui/chat/markdown_view.py" line="179"/>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/markdown_view.py" line="180"/>
        <source>Copy code</source>
        <translation>复制代码</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/markdown_view.py" line="183"/>
        <source>Code block</source>
        <translation>代码块</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/markdown_view.py" line="192"/>
        <source>code</source>
        <translation>代码</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/markdown_view.py" line="181"/>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/markdown_view.py" line="182"/>
        <source>Run this code on this computer</source>
        <translation>在这台电脑上运行这段代码</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <location filename="../../app/ui/chat/composer.py" line="102"/>
        <source>Ask anything — Enter sends, Shift+Enter adds a line, Esc stops</source>
        <translation>随便问 — 回车发送，Shift+回车换行，Esc 停止</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/composer.py" line="104"/>
        <source>Ask anything — Ctrl+Enter sends, Enter adds a line, Esc stops</source>
        <translation>随便问——Ctrl+Enter 发送，Enter 换行，Esc 停止</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/composer.py" line="106"/>
        <source>Message input</source>
        <translation>消息输入框</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/composer.py" line="107"/>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/composer.py" line="108"/>
        <source>Send message</source>
        <translation>发送消息</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/composer.py" line="109"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/composer.py" line="110"/>
        <source>Stop the answer</source>
        <translation>停止回答</translation>
    </message>
</context>
<context>
    <name>DemoOffer</name>
    <message>
        <location filename="../../app/ui/setup/demo_offer.py" line="53"/>
        <source>A small demo model, already on this computer: %1 (%2). It is not the tutor model: good for trying Ponder offline, weak at math. Nothing is downloaded.</source>
        <translation>一个小型演示模型，已在这台电脑上：%1（%2）。它不是辅导模型：适合离线试用 Ponder，数学能力较弱。无需下载任何内容。</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/demo_offer.py" line="56"/>
        <source>Use the demo model</source>
        <translation>使用演示模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/demo_offer.py" line="57"/>
        <source>Use the small demo model</source>
        <translation>使用小型演示模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/demo_offer.py" line="58"/>
        <source>Demo model</source>
        <translation>演示模型</translation>
    </message>
</context>
<context>
    <name>EmptyState</name>
    <message>
        <location filename="../../app/ui/shell/empty_state.py" line="64"/>
        <source>No model yet</source>
        <translation>还没有模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/empty_state.py" line="66"/>
        <source>Ponder runs a reasoning model on this computer, offline. Import a GGUF file you already have, or download DeepSeek-R1-Distill-Qwen-1.5B (about 1.1 GB).</source>
        <translation>Ponder 在这台电脑上离线运行推理模型。导入你已有的 GGUF 文件，或下载 DeepSeek-R1-Distill-Qwen-1.5B（约 1.1 GB）。</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/empty_state.py" line="68"/>
        <source>Import a GGUF file…</source>
        <translation>导入 GGUF 文件…</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/empty_state.py" line="69"/>
        <source>Import a GGUF file</source>
        <translation>导入 GGUF 文件</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/empty_state.py" line="70"/>
        <source>Download…</source>
        <translation>下载…</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/empty_state.py" line="71"/>
        <source>Download a model</source>
        <translation>下载模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/empty_state.py" line="72"/>
        <source>Ponder</source>
        <translation>Ponder</translation>
    </message>
</context>
<context>
    <name>FaultNotices</name>
    <message>
        <location filename="../../app/ui/shell/fault_notices.py" line="70"/>
        <source>%1 conversation(s) with %2 message(s) could still be read and are in the new database.</source>
        <translation>仍能读取 %1 个对话（共 %2 条消息），已放入新的数据库。</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/fault_notices.py" line="75"/>
        <source>No conversations could be read from it, so the history starts empty.</source>
        <translation>其中的对话都无法读取，因此聊天记录从空白开始。</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/fault_notices.py" line="78"/>
        <source>The chat database was damaged and Ponder started a new one. %1 The damaged file is kept at %2.</source>
        <translation>聊天数据库已损坏，Ponder 已新建一个。%1 损坏的文件保存在 %2。</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/fault_notices.py" line="85"/>
        <source>Ponder cannot write to its data folder (%1), so your chats open for reading only: new chats, sending and importing are turned off. Make the folder writable (or free some space) and restart Ponder.</source>
        <translation>Ponder 无法写入其数据文件夹（%1），因此聊天只能以只读方式打开：新建聊天、发送和导入均已关闭。请让该文件夹可写（或腾出一些空间）后重新启动 Ponder。</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/fault_notices.py" line="94"/>
        <source>Your settings (%1) could not be read, so Ponder uses the default settings.</source>
        <translation>无法读取你的设置（%1），因此 Ponder 使用默认设置。</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/fault_notices.py" line="97"/>
        <source>Your settings (%1) could not be read, so Ponder uses the default settings. The old file is kept as %2.</source>
        <translation>无法读取你的设置（%1），因此 Ponder 使用默认设置。旧文件已保存为 %2。</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/fault_notices.py" line="104"/>
        <source>The model file %1 is not there any more (moved or deleted while Ponder was closed).</source>
        <translation>模型文件 %1 已不在原处（在 Ponder 关闭期间被移动或删除）。</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/fault_notices.py" line="145"/>
        <source>Show the file</source>
        <translation>显示文件</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/fault_notices.py" line="180"/>
        <source>Locate…</source>
        <translation>查找…</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/fault_notices.py" line="181"/>
        <source>Choose another model</source>
        <translation>选择其他模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/fault_notices.py" line="203"/>
        <source>Locate the model file</source>
        <translation>查找模型文件</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/fault_notices.py" line="204"/>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF 模型 (*.gguf);;所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>FindBar</name>
    <message>
        <location filename="../../app/ui/chat/find_bar.py" line="94"/>
        <location filename="../../app/ui/chat/find_bar.py" line="95"/>
        <source>Find in this conversation</source>
        <translation>在此对话中查找</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/find_bar.py" line="97"/>
        <source>Previous match (Shift+Enter)</source>
        <translation>上一个匹配（Shift+Enter）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/find_bar.py" line="98"/>
        <source>Next match (Enter)</source>
        <translation>下一个匹配（Enter）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/find_bar.py" line="99"/>
        <source>Close the find bar (Esc)</source>
        <translation>关闭查找栏（Esc）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/find_bar.py" line="104"/>
        <source>Matches</source>
        <translation>匹配项</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/find_bar.py" line="111"/>
        <source>No matches</source>
        <translation>无匹配</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/find_bar.py" line="113"/>
        <source>%1 of %2</source>
        <translation>第 %1 个，共 %2 个</translation>
    </message>
</context>
<context>
    <name>GetModelPage</name>
    <message>
        <location filename="../../app/ui/setup/get_model_page.py" line="383"/>
        <source>No data from the server for %1 s. Ponder keeps waiting and retries by itself; you can also pause and resume later.</source>
        <translation>服务器已 %1 秒没有发送数据。Ponder 会继续等待并自动重试；你也可以先暂停，稍后继续。</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/get_model_page.py" line="161"/>
        <source>Get the model</source>
        <translation>获取模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/get_model_page.py" line="162"/>
        <source>Download the recommended file, or import a GGUF file you already have. Everything after this works offline.</source>
        <translation>下载推荐的文件，或导入你已有的 GGUF 文件。之后的一切都可离线使用。</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/get_model_page.py" line="164"/>
        <source>File:</source>
        <translation>文件：</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/get_model_page.py" line="165"/>
        <source>Quantization to download</source>
        <translation>要下载的量化版本</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/get_model_page.py" line="166"/>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/get_model_page.py" line="167"/>
        <source>Pause the download</source>
        <translation>暂停下载</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/get_model_page.py" line="168"/>
        <source>Cancel download</source>
        <translation>取消下载</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/get_model_page.py" line="169"/>
        <source>Cancel the download and delete it</source>
        <translation>取消下载并删除已下载部分</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/get_model_page.py" line="170"/>
        <source>Download progress</source>
        <translation>下载进度</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/get_model_page.py" line="171"/>
        <source>Already have a GGUF file (for example from another computer)? Import it; nothing is downloaded.</source>
        <translation>已经有 GGUF 文件（例如来自另一台电脑）？导入即可，无需下载。</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/get_model_page.py" line="173"/>
        <source>Import a GGUF file…</source>
        <translation>导入 GGUF 文件…</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/get_model_page.py" line="174"/>
        <source>Import a GGUF file</source>
        <translation>导入 GGUF 文件</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/get_model_page.py" line="185"/>
        <source>%1 %2 (%3)</source>
        <translation>%1 %2（%3）</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/get_model_page.py" line="188"/>
        <source>recommended</source>
        <translation>推荐</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/get_model_page.py" line="223"/>
        <source>Installed</source>
        <translation>已安装</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/get_model_page.py" line="225"/>
        <source>Resume download</source>
        <translation>继续下载</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/get_model_page.py" line="227"/>
        <source>Download</source>
        <translation>下载</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/get_model_page.py" line="234"/>
        <source>This file is already installed.</source>
        <translation>此文件已经安装。</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/get_model_page.py" line="245"/>
        <source>%1 of %2 were downloaded earlier; the download resumes from there.</source>
        <translation>之前已下载 %1（共 %2），将从那里继续下载。</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/get_model_page.py" line="312"/>
        <source>Importing: %1 of %2</source>
        <translation>正在导入：%1 / %2</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/get_model_page.py" line="333"/>
        <source>%1 of %2 · %3/s · %4</source>
        <translation>%1 / %2 · %3/秒 · %4</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/get_model_page.py" line="340"/>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/get_model_page.py" line="341"/>
        <source>Checking the part downloaded earlier…</source>
        <translation>正在检查之前下载的部分…</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/get_model_page.py" line="342"/>
        <source>Verifying the SHA-256…</source>
        <translation>正在校验 SHA-256…</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/get_model_page.py" line="350"/>
        <source>%1 was imported.</source>
        <translation>已导入 %1。</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/get_model_page.py" line="356"/>
        <source>Downloaded and verified.</source>
        <translation>已下载并校验。</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/get_model_page.py" line="358"/>
        <source>Downloaded; not verified against Ponder&apos;s catalog (the server&apos;s own SHA-256 was checked).</source>
        <translation>已下载；未与 Ponder 的目录核对（已检查服务器提供的 SHA-256）。</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/get_model_page.py" line="362"/>
        <source>Paused. Press Resume download to go on, now or after restarting Ponder.</source>
        <translation>已暂停。按“继续下载”即可继续，现在或重启 Ponder 之后都可以。</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/get_model_page.py" line="366"/>
        <source>Download cancelled; the partial file was deleted.</source>
        <translation>下载已取消，部分文件已删除。</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/get_model_page.py" line="415"/>
        <source>Import a GGUF model</source>
        <translation>导入 GGUF 模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/get_model_page.py" line="416"/>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF 模型 (*.gguf);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/get_model_page.py" line="432"/>
        <source>Importing %1…</source>
        <translation>正在导入 %1…</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/get_model_page.py" line="63"/>
        <source>time left unknown</source>
        <translation>剩余时间未知</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/get_model_page.py" line="66"/>
        <source>%1 h %2 min left</source>
        <translation>剩余 %1 小时 %2 分钟</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/get_model_page.py" line="68"/>
        <source>%1 min %2 s left</source>
        <translation>剩余 %1 分 %2 秒</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/get_model_page.py" line="69"/>
        <source>%1 s left</source>
        <translation>剩余 %1 秒</translation>
    </message>
</context>
<context>
    <name>HardwarePage</name>
    <message>
        <location filename="../../app/ui/setup/hardware_page.py" line="50"/>
        <source>Your computer</source>
        <translation>你的电脑</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/hardware_page.py" line="51"/>
        <source>Ponder checks what this computer can run well.</source>
        <translation>Ponder 检查这台电脑适合运行什么。</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/hardware_page.py" line="53"/>
        <source>Checking this computer…</source>
        <translation>正在检查这台电脑…</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/hardware_page.py" line="54"/>
        <source>Hardware found</source>
        <translation>检测到的硬件</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/hardware_page.py" line="55"/>
        <source>Recommendation</source>
        <translation>推荐</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/hardware_page.py" line="56"/>
        <source>Warnings</source>
        <translation>警告</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/hardware_page.py" line="84"/>
        <source>&lt;b&gt;Recommended:&lt;/b&gt; %1, %2 (%3).&lt;br&gt;%4</source>
        <translation>&lt;b&gt;推荐：&lt;/b&gt;%1，%2（%3）。&lt;br&gt;%4</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/hardware_page.py" line="100"/>
        <source>Processor: %1 (%2 cores; %3)</source>
        <translation>处理器：%1（%2 核；%3）</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/hardware_page.py" line="102"/>
        <source>Memory: %1 GB, %2 GB free</source>
        <translation>内存：%1 GB，可用 %2 GB</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/hardware_page.py" line="107"/>
        <source>Graphics: %1 with %2 GB</source>
        <translation>显卡：%1，%2 GB</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/hardware_page.py" line="110"/>
        <source>Graphics: none that llama.cpp can use</source>
        <translation>显卡：没有 llama.cpp 可用的显卡</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/hardware_page.py" line="112"/>
        <source>Free disk space: %1 at %2</source>
        <translation>可用磁盘空间：%1（%2）</translation>
    </message>
</context>
<context>
    <name>HelpMenu</name>
    <message>
        <location filename="../../app/ui/shell/help_menu.py" line="75"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/help_menu.py" line="76"/>
        <source>About Ponder…</source>
        <translation>关于 Ponder…</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/help_menu.py" line="77"/>
        <source>Open logs folder</source>
        <translation>打开日志文件夹</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/help_menu.py" line="78"/>
        <source>Copy diagnostics</source>
        <translation>复制诊断信息</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/help_menu.py" line="80"/>
        <source>Copy versions, hardware and the last errors (nothing personal) to paste into a bug report</source>
        <translation>复制版本、硬件和最近的错误（不含个人信息），以便粘贴到问题报告中</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/help_menu.py" line="106"/>
        <source>The logs folder cannot be created here.</source>
        <translation>无法在此处创建日志文件夹。</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/help_menu.py" line="109"/>
        <source>No file manager could open the logs folder.</source>
        <translation>没有文件管理器能打开日志文件夹。</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/help_menu.py" line="124"/>
        <source>Diagnostics copied. Paste them into your bug report.</source>
        <translation>诊断信息已复制。请粘贴到你的问题报告中。</translation>
    </message>
</context>
<context>
    <name>HintBar</name>
    <message>
        <location filename="../../app/ui/chat/hint_bar.py" line="100"/>
        <source>The reasoning holds the whole solution, so it stays hidden until you reveal the answer.</source>
        <translation>推理过程包含完整解答，因此在你显示答案之前会一直隐藏。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/hint_bar.py" line="105"/>
        <source>Hint. The answer is hidden.</source>
        <translation>提示。答案已隐藏。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/hint_bar.py" line="106"/>
        <source>Hint.</source>
        <translation>提示。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/hint_bar.py" line="107"/>
        <source>Reveal answer</source>
        <translation>显示答案</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/hint_bar.py" line="108"/>
        <source>Reveal the hidden answer and reasoning</source>
        <translation>显示隐藏的答案和推理过程</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/hint_bar.py" line="109"/>
        <source>Next hint</source>
        <translation>下一个提示</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/hint_bar.py" line="110"/>
        <source>Ask for the next hint</source>
        <translation>请求下一个提示</translation>
    </message>
</context>
<context>
    <name>InstructionsBox</name>
    <message>
        <location filename="../../app/ui/shell/chat_instructions.py" line="68"/>
        <source>Instructions for this chat</source>
        <translation>此对话的指令</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/chat_instructions.py" line="69"/>
        <source>For example: Answer in English. Explain each step for a first-year student.</source>
        <translation>例如：用英文回答。为大一学生讲清每一步。</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/chat_instructions.py" line="73"/>
        <source>Sent with every reply in this chat, as the system prompt. R1 models take no system prompt, so for them the instructions are added to your first message.</source>
        <translation>作为系统提示词，随此对话中的每次回复一起发送。R1 模型不接受系统提示词，因此对它们而言，这些指令会加到你的第一条消息中。</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/chat_instructions.py" line="78"/>
        <source>Open or start a chat to give it instructions.</source>
        <translation>请先打开或新建一个对话，再为它设置指令。</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/chat_instructions.py" line="87"/>
        <source>This chat</source>
        <translation>此对话</translation>
    </message>
</context>
<context>
    <name>LocalApiPage</name>
    <message>
        <location filename="../../app/ui/shell/local_api_page.py" line="121"/>
        <location filename="../../app/ui/shell/local_api_page.py" line="126"/>
        <source>Local API</source>
        <translation>本地 API</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/local_api_page.py" line="122"/>
        <source>Serve the loaded model to other programs (OpenAI API)</source>
        <translation>向其他程序提供已加载的模型（OpenAI API）</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/local_api_page.py" line="123"/>
        <source>None: any key is accepted from this computer</source>
        <translation>无：接受来自这台电脑的任何密钥</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/local_api_page.py" line="124"/>
        <source>e.g. mybox.lan (comma-separated)</source>
        <translation>例如 mybox.lan（用逗号分隔）</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/local_api_page.py" line="125"/>
        <source>Copy snippet</source>
        <translation>复制代码片段</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/local_api_page.py" line="126"/>
        <source>Port</source>
        <translation>端口</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/local_api_page.py" line="126"/>
        <source>API key</source>
        <translation>API 密钥</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/local_api_page.py" line="127"/>
        <source>Allowed host names</source>
        <translation>允许的主机名</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/local_api_page.py" line="127"/>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/local_api_page.py" line="127"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/local_api_page.py" line="128"/>
        <source>Python client</source>
        <translation>Python 客户端</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/local_api_page.py" line="134"/>
        <source>Copy the client snippet</source>
        <translation>复制客户端代码片段</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/local_api_page.py" line="148"/>
        <source>Starts on port %1 when you press OK.</source>
        <translation>按“确定”后在端口 %1 上启动。</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/local_api_page.py" line="151"/>
        <source>Off</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../app/ui/shell/main_window.py" line="155"/>
        <source>Ponder</source>
        <translation>Ponder</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/main_window.py" line="156"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/main_window.py" line="157"/>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/main_window.py" line="158"/>
        <source>New chat</source>
        <translation>新对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/main_window.py" line="159"/>
        <source>Open GGUF file…</source>
        <translation>打开 GGUF 文件…</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/main_window.py" line="161"/>
        <source>Import chat (JSON)…</source>
        <translation>导入对话（JSON）…</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/main_window.py" line="162"/>
        <source>Export chat as Markdown…</source>
        <translation>将对话导出为 Markdown…</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/main_window.py" line="163"/>
        <source>Export chat as JSON…</source>
        <translation>将对话导出为 JSON…</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/main_window.py" line="164"/>
        <source>Settings…</source>
        <translation>设置…</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/main_window.py" line="165"/>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/main_window.py" line="166"/>
        <source>Copy last answer</source>
        <translation>复制最后的回答</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/main_window.py" line="167"/>
        <source>Find in conversation</source>
        <translation>在对话中查找</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/main_window.py" line="168"/>
        <source>Search chats</source>
        <translation>搜索对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/main_window.py" line="169"/>
        <source>Chats</source>
        <translation>对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/main_window.py" line="170"/>
        <source>Chat area</source>
        <translation>聊天区域</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/main_window.py" line="185"/>
        <source>Open a GGUF model</source>
        <translation>打开 GGUF 模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/main_window.py" line="186"/>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF 模型 (*.gguf);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/main_window.py" line="191"/>
        <source>Import a chat</source>
        <translation>导入对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/main_window.py" line="192"/>
        <source>Ponder chats (*.json)</source>
        <translation>Ponder 对话 (*.json)</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/main_window.py" line="197"/>
        <source>Export as Markdown</source>
        <translation>导出为 Markdown</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/main_window.py" line="198"/>
        <source>Markdown (*.md)</source>
        <translation>Markdown (*.md)</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/main_window.py" line="203"/>
        <source>Export as JSON</source>
        <translation>导出为 JSON</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/main_window.py" line="204"/>
        <source>JSON (*.json)</source>
        <translation>JSON (*.json)</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/main_window.py" line="160"/>
        <source>Models…</source>
        <translation>模型…</translation>
    </message>
</context>
<context>
    <name>MessageDetails</name>
    <message>
        <location filename="../../app/ui/chat/message_details.py" line="36"/>
        <source>%1, %2</source>
        <translation>%2 %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_details.py" line="42"/>
        <source>Model: %1</source>
        <translation>模型：%1</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_details.py" line="44"/>
        <source>Tokens: %1 (%2 thinking)</source>
        <translation>词元：%1（思考 %2）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_details.py" line="47"/>
        <source>Tokens: %1</source>
        <translation>词元：%1</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_details.py" line="49"/>
        <source>Speed: %1 tokens/s</source>
        <translation>速度：每秒 %1 个词元</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_details.py" line="69"/>
        <source>Sent %1</source>
        <translation>发送于 %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_details.py" line="71"/>
        <source>Written %1</source>
        <translation>写于 %1</translation>
    </message>
</context>
<context>
    <name>MessageWidget</name>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="306"/>
        <source>Assistant</source>
        <translation>助手</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="306"/>
        <source>You</source>
        <translation>你</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="307"/>
        <source>Assistant message</source>
        <translation>助手消息</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="308"/>
        <source>Your message</source>
        <translation>你的消息</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="309"/>
        <source>Message text</source>
        <translation>消息正文</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="315"/>
        <source>Answer</source>
        <translation>答案</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="195"/>
        <location filename="../../app/ui/chat/message_widget.py" line="321"/>
        <source>Final answer</source>
        <translation>最终答案</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="322"/>
        <source>Answer now</source>
        <translation>立即回答</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="323"/>
        <source>Stop thinking and answer now</source>
        <translation>停止思考并立即回答</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="325"/>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="325"/>
        <source>Copy this message</source>
        <translation>复制这条消息</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="326"/>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="326"/>
        <source>Edit and resend this message</source>
        <translation>编辑并重新发送这条消息</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="327"/>
        <source>Regenerate</source>
        <translation>重新生成</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="327"/>
        <source>Write a new answer</source>
        <translation>写一个新回答</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="328"/>
        <source>Continue</source>
        <translation>继续</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="328"/>
        <source>Continue this answer</source>
        <translation>继续这个回答</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="329"/>
        <source>Check</source>
        <translation>检查</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="330"/>
        <source>Check this answer: ask the model again and compare the answers</source>
        <translation>检查这个答案：让模型再答几次并比较答案</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="331"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="331"/>
        <source>Delete this message</source>
        <translation>删除这条消息</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="332"/>
        <source>Previous version</source>
        <translation>上一个版本</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="333"/>
        <source>Next version</source>
        <translation>下一个版本</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="339"/>
        <source>Version</source>
        <translation>版本</translation>
    </message>
</context>
<context>
    <name>ModelLoads</name>
    <message>
        <location filename="../../app/ui/shell/model_loads.py" line="76"/>
        <location filename="../../app/ui/shell/model_loads.py" line="82"/>
        <source>Loading %1…</source>
        <translation>正在加载 %1…</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/model_loads.py" line="90"/>
        <source>%1 is not a model file. Ponder opens GGUF models (files ending in .gguf).</source>
        <translation>%1 不是模型文件。Ponder 只能打开 GGUF 模型（以 .gguf 结尾的文件）。</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/model_loads.py" line="94"/>
        <source>%1 was not found.</source>
        <translation>找不到 %1。</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/model_loads.py" line="149"/>
        <source>Only files on this computer can be dropped here: a GGUF model file.</source>
        <translation>这里只能拖入这台电脑上的文件：一个 GGUF 模型文件。</translation>
    </message>
</context>
<context>
    <name>ModelSettingsPage</name>
    <message>
        <location filename="../../app/ui/shell/model_settings_page.py" line="158"/>
        <source>checking this computer…</source>
        <translation>正在检查这台电脑…</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/model_settings_page.py" line="161"/>
        <source>fits this computer (%1, about %2 tokens/s on %3)</source>
        <translation>适合这台电脑（%1，在 %3 上约每秒 %2 个词元）</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/model_settings_page.py" line="165"/>
        <source>too big for this computer</source>
        <translation>对这台电脑来说太大</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/model_settings_page.py" line="166"/>
        <source>installed</source>
        <translation>已安装</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/model_settings_page.py" line="166"/>
        <source>not downloaded</source>
        <translation>未下载</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/model_settings_page.py" line="197"/>
        <source>This model is not on this computer yet: download it with File → Models… → Set up a model. Until then the current model stays.</source>
        <translation>这台电脑上还没有此模型：请通过“文件 → 模型… → 设置模型”下载。在此之前保留当前模型。</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/model_settings_page.py" line="208"/>
        <source>Asking %1 for its models…</source>
        <translation>正在向 %1 查询可用模型…</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/model_settings_page.py" line="225"/>
        <source>The server offers %1 model(s).</source>
        <translation>服务器提供 %1 个模型。</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/model_settings_page.py" line="274"/>
        <location filename="../../app/ui/shell/model_settings_page.py" line="282"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/model_settings_page.py" line="275"/>
        <source>On this computer</source>
        <translation>在这台电脑上</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/model_settings_page.py" line="276"/>
        <source>A server (OpenAI-compatible)</source>
        <translation>服务器（兼容 OpenAI）</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/model_settings_page.py" line="278"/>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/model_settings_page.py" line="279"/>
        <source>List models</source>
        <translation>列出模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/model_settings_page.py" line="280"/>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/model_settings_page.py" line="281"/>
        <source>API key (optional)</source>
        <translation>API 密钥（可选）</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/model_settings_page.py" line="283"/>
        <source>Models on this computer</source>
        <translation>这台电脑上的模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/model_settings_page.py" line="284"/>
        <source>Server address</source>
        <translation>服务器地址</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/model_settings_page.py" line="285"/>
        <source>Server API key</source>
        <translation>服务器 API 密钥</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/model_settings_page.py" line="286"/>
        <source>Server model</source>
        <translation>服务器模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/model_settings_page.py" line="287"/>
        <source>List the server&apos;s models</source>
        <translation>列出服务器上的模型</translation>
    </message>
</context>
<context>
    <name>ModelTrust</name>
    <message>
        <location filename="../../app/ui/setup/model_trust.py" line="30"/>
        <source>Checking…</source>
        <translation>正在检查…</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/model_trust.py" line="32"/>
        <source>Verified (catalog)</source>
        <translation>已验证（目录）</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/model_trust.py" line="33"/>
        <source>Known build</source>
        <translation>已知的构建</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/model_trust.py" line="34"/>
        <source>Verified by the hub at download</source>
        <translation>下载时已由 Hub 验证</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/model_trust.py" line="35"/>
        <source>⚠ Not the catalog&apos;s bytes</source>
        <translation>⚠ 与目录中的文件内容不符</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/model_trust.py" line="36"/>
        <source>Not verified against Ponder&apos;s catalog</source>
        <translation>未与 Ponder 的目录核对</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/model_trust.py" line="37"/>
        <source>Not checked yet</source>
        <translation>尚未检查</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/model_trust.py" line="45"/>
        <source>This file has the name of a file in Ponder&apos;s catalog but other bytes: it may be damaged or a different build. Download it again if it misbehaves.</source>
        <translation>此文件与 Ponder 目录中的某个文件同名，但内容不同：它可能已损坏，或是另一个构建。如果它运行异常，请重新下载。</translation>
    </message>
</context>
<context>
    <name>ModelsPage</name>
    <message>
        <location filename="../../app/ui/setup/models_page.py" line="141"/>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/models_page.py" line="143"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/models_page.py" line="143"/>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/models_page.py" line="143"/>
        <source>Quantization</source>
        <translation>量化</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/models_page.py" line="144"/>
        <source>Architecture</source>
        <translation>架构</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/models_page.py" line="144"/>
        <source>Context</source>
        <translation>上下文</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/models_page.py" line="144"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/models_page.py" line="145"/>
        <source>Trust</source>
        <translation>可信度</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/models_page.py" line="146"/>
        <source>Installed models</source>
        <translation>已安装的模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/models_page.py" line="147"/>
        <source>Models folder: %1</source>
        <translation>模型文件夹：%1</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/models_page.py" line="148"/>
        <source>Use now</source>
        <translation>立即使用</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/models_page.py" line="149"/>
        <source>Load the selected model now</source>
        <translation>立即加载所选模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/models_page.py" line="150"/>
        <source>Set as default</source>
        <translation>设为默认</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/models_page.py" line="151"/>
        <source>Load the selected model at start</source>
        <translation>启动时加载所选模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/models_page.py" line="152"/>
        <source>Delete…</source>
        <translation>删除…</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/models_page.py" line="153"/>
        <source>Delete the selected model</source>
        <translation>删除所选模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/models_page.py" line="154"/>
        <source>Open folder</source>
        <translation>打开文件夹</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/models_page.py" line="155"/>
        <source>Open the models folder</source>
        <translation>打开模型文件夹</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/models_page.py" line="156"/>
        <source>Download or import…</source>
        <translation>下载或导入…</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/models_page.py" line="157"/>
        <source>Open the model setup assistant</source>
        <translation>打开模型设置向导</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/models_page.py" line="197"/>
        <source>Incomplete download: %1 (%2 of %3). Open Download or import… to resume it.</source>
        <translation>未完成的下载：%1（%2 / %3）。打开“下载或导入…”以继续。</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/models_page.py" line="203"/>
        <source>No models are installed yet. Download one or import a GGUF file.</source>
        <translation>尚未安装模型。请下载一个或导入 GGUF 文件。</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/models_page.py" line="213"/>
        <source>damaged</source>
        <translation>已损坏</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/models_page.py" line="215"/>
        <source>flagged</source>
        <translation>已标记</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/models_page.py" line="217"/>
        <source>in use</source>
        <translation>使用中</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/models_page.py" line="219"/>
        <source>default</source>
        <translation>默认</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/models_page.py" line="221"/>
        <source>demo model, not the tutor</source>
        <translation>演示模型，非辅导模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/models_page.py" line="275"/>
        <source>Delete %1 (%2)? The file is removed from the models folder; you would need to download or import it again.</source>
        <translation>删除 %1（%2）？文件将从模型文件夹中移除，之后需要重新下载或导入。</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/models_page.py" line="278"/>
        <source>Delete model</source>
        <translation>删除模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/models_page.py" line="293"/>
        <source>The folder could not be opened. It is here: %1</source>
        <translation>无法打开文件夹。它位于：%1</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/models_page.py" line="309"/>
        <source>Importing %1…</source>
        <translation>正在导入 %1…</translation>
    </message>
</context>
<context>
    <name>Notice</name>
    <message>
        <location filename="../../app/ui/shell/notice_bar.py" line="52"/>
        <source>Close this notice</source>
        <translation>关闭此通知</translation>
    </message>
</context>
<context>
    <name>PromptGuard</name>
    <message>
        <location filename="../../app/ui/shell/prompt_guard.py" line="31"/>
        <source>This message is too long for the model: it has %1 characters, far more than its context of %2 tokens can hold. Shorten the message or split it into parts, or choose a larger context size in the model settings.</source>
        <translation>这条消息对模型来说太长了：它有 %1 个字符，远超 %2 个 token 的上下文所能容纳的量。请缩短消息或分成几部分发送，或在模型设置中选择更大的上下文长度。</translation>
    </message>
</context>
<context>
    <name>ReadyBanner</name>
    <message>
        <location filename="../../app/ui/setup/ready_banner.py" line="56"/>
        <source>Ponder is ready</source>
        <translation>Ponder 已就绪</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/ready_banner.py" line="57"/>
        <source>%1 answered on this computer (%2). Press Start chatting to begin.</source>
        <translation>%1 已在这台电脑上作答（%2）。点击“开始聊天”即可开始。</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/ready_banner.py" line="60"/>
        <source>Ponder</source>
        <translation>Ponder</translation>
    </message>
</context>
<context>
    <name>ReasoningBlock</name>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="81"/>
        <source>Thinking…</source>
        <translation>思考中…</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/ui/chat/message_widget.py" line="83"/>
        <source>Thought for %n s</source>
        <translation>
            <numerusform>思考了 %n 秒</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="85"/>
        <source>Reasoning</source>
        <translation>推理过程</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/message_widget.py" line="87"/>
        <source>Show or hide the reasoning</source>
        <translation>显示或隐藏推理过程</translation>
    </message>
</context>
<context>
    <name>RunConfirmation</name>
    <message>
        <location filename="../../app/ui/chat/run_panel.py" line="63"/>
        <source>Run code</source>
        <translation>运行代码</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/run_panel.py" line="64"/>
        <source>Run this code on this computer? It runs with limits in a temporary folder.</source>
        <translation>要在这台电脑上运行这段代码吗？它会在临时文件夹中受限运行。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/run_panel.py" line="66"/>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/run_panel.py" line="67"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/run_panel.py" line="70"/>
        <source>Don&apos;t ask again</source>
        <translation>不再询问</translation>
    </message>
</context>
<context>
    <name>RunPanel</name>
    <message>
        <location filename="../../app/ui/chat/run_panel.py" line="172"/>
        <source>Running…</source>
        <translation>正在运行…</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/run_panel.py" line="185"/>
        <source>Stopping…</source>
        <translation>正在停止…</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/run_panel.py" line="189"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/run_panel.py" line="190"/>
        <source>Stop the running code</source>
        <translation>停止正在运行的代码</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/run_panel.py" line="191"/>
        <source>Output of the code</source>
        <translation>代码的输出</translation>
    </message>
</context>
<context>
    <name>SampleDialog</name>
    <message>
        <location filename="../../app/ui/chat/sample_dialog.py" line="61"/>
        <source>Answer %1</source>
        <translation>答案 %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/sample_dialog.py" line="63"/>
        <location filename="../../app/ui/chat/sample_dialog.py" line="66"/>
        <source>Reasoning</source>
        <translation>推理过程</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/sample_dialog.py" line="64"/>
        <source>This answer has no separate reasoning.</source>
        <translation>这个答案没有单独的推理过程。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/sample_dialog.py" line="67"/>
        <location filename="../../app/ui/chat/sample_dialog.py" line="68"/>
        <source>Answer</source>
        <translation>答案</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../app/ui/shell/settings_dialog.py" line="206"/>
        <source>General</source>
        <translation>常规</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/settings_dialog.py" line="206"/>
        <source>Sampling</source>
        <translation>采样</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/settings_dialog.py" line="206"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/settings_dialog.py" line="207"/>
        <source>Local API</source>
        <translation>本地 API</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/settings_dialog.py" line="207"/>
        <source>Downloads</source>
        <translation>下载</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/settings_dialog.py" line="190"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/settings_dialog.py" line="191"/>
        <source>Math tutor</source>
        <translation>数学辅导</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/settings_dialog.py" line="192"/>
        <source>Code helper</source>
        <translation>编程助手</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/settings_dialog.py" line="192"/>
        <source>Chat</source>
        <translation>聊天</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/settings_dialog.py" line="195"/>
        <source>System language</source>
        <translation>系统语言</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/settings_dialog.py" line="196"/>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/settings_dialog.py" line="196"/>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/settings_dialog.py" line="197"/>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/settings_dialog.py" line="200"/>
        <source>Ask for step-by-step reasoning and a boxed answer</source>
        <translation>要求逐步推理并给出框出的答案</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/settings_dialog.py" line="201"/>
        <location filename="../../app/ui/shell/settings_dialog.py" line="202"/>
        <source>Automatic</source>
        <translation>自动</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/settings_dialog.py" line="203"/>
        <source>Save for this chat only</source>
        <translation>仅保存到此对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/settings_dialog.py" line="204"/>
        <source>Enter sends (else Ctrl+Enter sends)</source>
        <translation>按 Enter 发送（否则按 Ctrl+Enter 发送）</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/settings_dialog.py" line="205"/>
        <source>Show the reasoning while it is written</source>
        <translation>在生成时显示推理过程</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/settings_dialog.py" line="218"/>
        <source>Preset</source>
        <translation>预设</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/settings_dialog.py" line="219"/>
        <source>Temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/settings_dialog.py" line="220"/>
        <source>Top-p</source>
        <translation>Top-p</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/settings_dialog.py" line="221"/>
        <source>Top-k</source>
        <translation>Top-k</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/settings_dialog.py" line="222"/>
        <source>Min-p</source>
        <translation>Min-p</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/settings_dialog.py" line="223"/>
        <source>Repeat penalty</source>
        <translation>重复惩罚</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/settings_dialog.py" line="224"/>
        <source>Max tokens</source>
        <translation>最大词元数</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/settings_dialog.py" line="225"/>
        <source>Thinking budget (0: none)</source>
        <translation>思考预算（0：不限）</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/settings_dialog.py" line="226"/>
        <source>Math instruction</source>
        <translation>数学提示</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/settings_dialog.py" line="228"/>
        <source>Answers compared by Check (0: automatic)</source>
        <translation>“检查”比较的答案数（0：自动）</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/settings_dialog.py" line="229"/>
        <source>Context length (next load)</source>
        <translation>上下文长度（下次加载生效）</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/settings_dialog.py" line="230"/>
        <source>Threads (0: automatic)</source>
        <translation>线程数（0：自动）</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/settings_dialog.py" line="231"/>
        <source>GPU layers (-1: all)</source>
        <translation>GPU 层数（-1：全部）</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/settings_dialog.py" line="211"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/settings_dialog.py" line="212"/>
        <source>Theme</source>
        <translation>主题</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/settings_dialog.py" line="213"/>
        <source>Text size (Ctrl+= / Ctrl+-)</source>
        <translation>文字大小（Ctrl+= / Ctrl+-）</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/settings_dialog.py" line="214"/>
        <source>Sending</source>
        <translation>发送</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/settings_dialog.py" line="215"/>
        <source>Reasoning</source>
        <translation>推理</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/settings_dialog.py" line="191"/>
        <source>Hints</source>
        <translation>提示</translation>
    </message>
</context>
<context>
    <name>SetupWizard</name>
    <message>
        <location filename="../../app/ui/setup/wizard.py" line="79"/>
        <source>Set up a model</source>
        <translation>设置模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/wizard.py" line="80"/>
        <source>Skip for now</source>
        <translation>暂时跳过</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/wizard.py" line="82"/>
        <source>Skip the setup</source>
        <translation>跳过设置</translation>
    </message>
</context>
<context>
    <name>Sidebar</name>
    <message>
        <location filename="../../app/ui/shell/sidebar.py" line="133"/>
        <source>Deleted “%1”</source>
        <translation>已删除“%1”</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/sidebar.py" line="144"/>
        <location filename="../../app/ui/shell/sidebar.py" line="145"/>
        <source>New chat</source>
        <translation>新对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/sidebar.py" line="146"/>
        <location filename="../../app/ui/shell/sidebar.py" line="147"/>
        <source>Search chats</source>
        <translation>搜索对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/sidebar.py" line="148"/>
        <source>Conversations</source>
        <translation>对话列表</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/sidebar.py" line="149"/>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/sidebar.py" line="150"/>
        <source>Undo delete</source>
        <translation>撤销删除</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/sidebar.py" line="159"/>
        <source>Rename chat</source>
        <translation>重命名对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/sidebar.py" line="159"/>
        <source>Title:</source>
        <translation>标题：</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/sidebar.py" line="179"/>
        <source>Rename…</source>
        <translation>重命名…</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/sidebar.py" line="180"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
</context>
<context>
    <name>SourcesBox</name>
    <message>
        <location filename="../../app/ui/setup/sources_box.py" line="66"/>
        <location filename="../../app/ui/setup/sources_box.py" line="76"/>
        <source>Download source</source>
        <translation>下载源</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/sources_box.py" line="68"/>
        <location filename="../../app/ui/setup/sources_box.py" line="154"/>
        <source>hf-mirror (China)</source>
        <translation>hf-mirror（中国）</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/sources_box.py" line="69"/>
        <location filename="../../app/ui/setup/sources_box.py" line="73"/>
        <source>Custom URL</source>
        <translation>自定义网址</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/sources_box.py" line="72"/>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/sources_box.py" line="74"/>
        <source>Proxy</source>
        <translation>代理</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/sources_box.py" line="75"/>
        <source>System proxy (e.g. http://127.0.0.1:7890)</source>
        <translation>系统代理（例如 http://127.0.0.1:7890）</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/sources_box.py" line="77"/>
        <source>Custom download URL</source>
        <translation>自定义下载网址</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/sources_box.py" line="78"/>
        <source>Proxy URL (empty: the system proxy)</source>
        <translation>代理网址（留空：使用系统代理）</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/sources_box.py" line="121"/>
        <source>The download source could not be saved: %1</source>
        <translation>无法保存下载源：%1</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/sources_box.py" line="133"/>
        <source>Enter the custom source&apos;s address, such as https://example.org.</source>
        <translation>请输入自定义下载源的地址，例如 https://example.org。</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/sources_box.py" line="163"/>
        <source>Try %1 instead</source>
        <translation>改用 %1</translation>
    </message>
</context>
<context>
    <name>StatesBox</name>
    <message>
        <location filename="../../app/ui/setup/states_box.py" line="60"/>
        <source>Conversation memory on disk: %1 of %2. Going back to a conversation starts at once instead of re-reading it; each saved conversation takes about %3 per 1,000 tokens with the 1.5B model.</source>
        <translation>磁盘上的对话记忆：已用 %1，上限 %2。回到一个对话时会立即开始，而不必重新读取整个对话；使用 1.5B 模型时，每个保存的对话每 1,000 个词元约占 %3。</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/states_box.py" line="64"/>
        <source>Conversation memory on disk</source>
        <translation>磁盘上的对话记忆</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/states_box.py" line="65"/>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/states_box.py" line="66"/>
        <source>Clear the saved conversation memory</source>
        <translation>清除保存的对话记忆</translation>
    </message>
</context>
<context>
    <name>StatusBar</name>
    <message>
        <location filename="../../app/ui/shell/status_bar.py" line="72"/>
        <source>No model loaded</source>
        <translation>未加载模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/status_bar.py" line="78"/>
        <source>server at %1</source>
        <translation>服务器 %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/status_bar.py" line="79"/>
        <source>on this computer (%1)</source>
        <translation>在这台电脑上（%1）</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/status_bar.py" line="82"/>
        <source>Context %1 / %2</source>
        <translation>上下文 %1 / %2</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/status_bar.py" line="84"/>
        <source>Context %1</source>
        <translation>上下文 %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/status_bar.py" line="90"/>
        <source>Tokens the model reads for this conversation (its answers without their reasoning), out of its context length</source>
        <translation>模型为此对话读取的词元数（回答不含推理过程），以及其上下文长度</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/status_bar.py" line="93"/>
        <source>API on %1</source>
        <translation>API 运行于 %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/status_bar.py" line="96"/>
        <source>%1 tok/s</source>
        <translation>%1 词元/秒</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/status_bar.py" line="101"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/status_bar.py" line="102"/>
        <source>Backend</source>
        <translation>后端</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/status_bar.py" line="103"/>
        <source>Speed</source>
        <translation>速度</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/status_bar.py" line="104"/>
        <source>Context used</source>
        <translation>已用上下文</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/status_bar.py" line="105"/>
        <source>Local API</source>
        <translation>本地 API</translation>
    </message>
</context>
<context>
    <name>StepIndicator</name>
    <message>
        <location filename="../../app/ui/setup/step_indicator.py" line="40"/>
        <source>This computer</source>
        <translation>这台电脑</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/step_indicator.py" line="40"/>
        <source>Get the model</source>
        <translation>获取模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/step_indicator.py" line="40"/>
        <source>First answer</source>
        <translation>第一个回答</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/step_indicator.py" line="41"/>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/step_indicator.py" line="57"/>
        <source>done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/step_indicator.py" line="58"/>
        <source>current step</source>
        <translation>当前步骤</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/step_indicator.py" line="58"/>
        <source>to do</source>
        <translation>待完成</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/step_indicator.py" line="59"/>
        <source>Step %1 of %2: %3, %4</source>
        <translation>第 %1 步，共 %2 步：%3，%4</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/step_indicator.py" line="61"/>
        <source>Ponder</source>
        <translation>Ponder</translation>
    </message>
</context>
<context>
    <name>StudentAnswer</name>
    <message>
        <location filename="../../app/ui/chat/student_answer.py" line="103"/>
        <source>Checking…</source>
        <translation>正在检查…</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/student_answer.py" line="105"/>
        <source>Equivalent to the model&apos;s answer</source>
        <translation>与模型的答案等价</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/student_answer.py" line="107"/>
        <source>Not equivalent to the model&apos;s answer</source>
        <translation>与模型的答案不等价</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/student_answer.py" line="110"/>
        <source>the comparison took too long</source>
        <translation>比较用时过长</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/student_answer.py" line="112"/>
        <source>the model&apos;s answer could not be read as math</source>
        <translation>无法把模型的答案读作数学式</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/student_answer.py" line="114"/>
        <source>your answer could not be read as math</source>
        <translation>无法把你的答案读作数学式</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/student_answer.py" line="115"/>
        <source>Can&apos;t tell: %1</source>
        <translation>无法判断：%1</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/student_answer.py" line="120"/>
        <source>Your answer</source>
        <translation>你的答案</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/student_answer.py" line="121"/>
        <source>Your answer, to compare with the model&apos;s</source>
        <translation>你的答案，用来与模型的答案比较</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/student_answer.py" line="122"/>
        <source>Check mine</source>
        <translation>检查我的答案</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/student_answer.py" line="123"/>
        <source>Check whether your answer is right</source>
        <translation>检查你的答案是否正确</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/student_answer.py" line="124"/>
        <source>Compare your answer with the model&apos;s by value (Enter)</source>
        <translation>按数值比较你的答案和模型的答案（回车）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/student_answer.py" line="128"/>
        <source>Verdict</source>
        <translation>结论</translation>
    </message>
</context>
<context>
    <name>TrialPage</name>
    <message>
        <location filename="../../app/ui/setup/trial_page.py" line="101"/>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/trial_page.py" line="102"/>
        <source>The model&apos;s first answer, written on this computer. Your chats work the same way.</source>
        <translation>这是模型在这台电脑上写出的第一个回答。你的对话也会这样运行。</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/trial_page.py" line="104"/>
        <source>Start chatting</source>
        <translation>开始聊天</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/trial_page.py" line="106"/>
        <source>A first answer</source>
        <translation>第一个回答</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/trial_page.py" line="107"/>
        <source>The model answers a test question on this computer, then Ponder measures how fast it writes.</source>
        <translation>模型在这台电脑上回答一个测试问题，然后 Ponder 测量它的输出速度。</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/trial_page.py" line="109"/>
        <source>Finish</source>
        <translation>完成</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/trial_page.py" line="110"/>
        <source>Question: %1</source>
        <translation>问题：%1</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/trial_page.py" line="111"/>
        <source>The model&apos;s answer</source>
        <translation>模型的回答</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/trial_page.py" line="112"/>
        <source>Measured speed</source>
        <translation>实测速度</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/trial_page.py" line="171"/>
        <source>Loading the model…</source>
        <translation>正在加载模型…</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/trial_page.py" line="173"/>
        <source>The model is answering…</source>
        <translation>模型正在回答…</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/trial_page.py" line="176"/>
        <source>Measuring the speed (%1 s)…</source>
        <translation>正在测量速度（%1 秒）…</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/trial_page.py" line="189"/>
        <source>The speed was not measured.</source>
        <translation>未测量速度。</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/trial_page.py" line="191"/>
        <source>Measured speed: %1 tokens per second.</source>
        <translation>实测速度：每秒 %1 个 token。</translation>
    </message>
    <message>
        <location filename="../../app/ui/setup/trial_page.py" line="200"/>
        <source>(Estimated before: %1.)</source>
        <translation>（之前估计：%1。）</translation>
    </message>
</context>
<context>
    <name>TrimDivider</name>
    <message>
        <location filename="../../app/ui/chat/trim_divider.py" line="47"/>
        <source>%1 earlier messages are not sent to the model: the context is full</source>
        <translation>较早的 %1 条消息未发送给模型：上下文已满</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/trim_divider.py" line="51"/>
        <source>The model reads the conversation from here on. Start a new chat, or choose a larger context in Settings, to keep everything.</source>
        <translation>模型从这里开始读取对话。若要保留全部内容，请开始新对话，或在设置中选择更大的上下文。</translation>
    </message>
</context>
<context>
    <name>TutorWiring</name>
    <message>
        <location filename="../../app/ui/shell/tutor_wiring.py" line="126"/>
        <source>Check the newest answer</source>
        <translation>检查最新的答案</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/tutor_wiring.py" line="196"/>
        <source>This answer is no longer in the conversation.</source>
        <translation>这个答案已不在对话中。</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/tutor_wiring.py" line="348"/>
        <source>An answer check is using the model; your reply starts when it ends (Esc stops both).</source>
        <translation>答案检查正在使用模型；检查结束后才开始回复（按 Esc 可同时停止两者）。</translation>
    </message>
</context>
<context>
    <name>ViewMenu</name>
    <message>
        <location filename="../../app/ui/shell/view_menu.py" line="48"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/view_menu.py" line="49"/>
        <source>Larger text</source>
        <translation>放大文字</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/view_menu.py" line="50"/>
        <source>Smaller text</source>
        <translation>缩小文字</translation>
    </message>
    <message>
        <location filename="../../app/ui/shell/view_menu.py" line="51"/>
        <source>Default text size</source>
        <translation>默认文字大小</translation>
    </message>
</context>
<context>
    <name>VotePanel</name>
    <message>
        <location filename="../../app/ui/chat/vote_panel.py" line="197"/>
        <location filename="../../app/ui/chat/vote_panel.py" line="228"/>
        <source>Answer check</source>
        <translation>答案检查</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/vote_panel.py" line="198"/>
        <source>&amp;Answers:</source>
        <translation>答案数(&amp;A)：</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/vote_panel.py" line="199"/>
        <source>Answers to compare, this one included</source>
        <translation>要比较的答案数（包括这一个）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/vote_panel.py" line="202"/>
        <source>Start check</source>
        <translation>开始检查</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/vote_panel.py" line="202"/>
        <source>Start the answer check</source>
        <translation>开始检查答案</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/vote_panel.py" line="203"/>
        <source>Not now</source>
        <translation>暂不</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/vote_panel.py" line="203"/>
        <source>Close without checking</source>
        <translation>不检查，关闭</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/vote_panel.py" line="204"/>
        <source>Stop (Esc)</source>
        <translation>停止 (Esc)</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/vote_panel.py" line="204"/>
        <source>Stop the answer check</source>
        <translation>停止检查答案</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/vote_panel.py" line="205"/>
        <source>Check again</source>
        <translation>再检查一次</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/vote_panel.py" line="205"/>
        <source>Check this answer again</source>
        <translation>再次检查这个答案</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/vote_panel.py" line="218"/>
        <source>Working out how long a check takes on this computer…</source>
        <translation>正在估算在这台电脑上检查需要多久…</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/vote_panel.py" line="221"/>
        <source>Compare %1 answers? %2 on this computer.</source>
        <translation>比较 %1 个答案？在这台电脑上%2。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/vote_panel.py" line="224"/>
        <source>Checking: asking the model %1 more times…</source>
        <translation>正在检查：让模型再回答 %1 次…</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/vote_panel.py" line="227"/>
        <source>The check did not run.</source>
        <translation>检查没有运行。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/vote_panel.py" line="232"/>
        <source>The same question is answered again; the answers are compared by their mathematical value.</source>
        <translation>同一个问题会再回答几次，答案按数学意义比较。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/vote_panel.py" line="234"/>
        <source>Each new answer may use up to %1 tokens.</source>
        <translation>每个新答案最多使用 %1 个词元。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/vote_panel.py" line="244"/>
        <source>%1 of %2 answers in.</source>
        <translation>已得到 %2 个答案中的 %1 个。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/vote_panel.py" line="250"/>
        <location filename="../../app/ui/chat/vote_panel.py" line="346"/>
        <source>no final answer</source>
        <translation>没有最终答案</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/vote_panel.py" line="253"/>
        <source>Other answers: %1.</source>
        <translation>其他答案：%1。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/vote_panel.py" line="254"/>
        <source>Answers: %1.</source>
        <translation>答案：%1。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/vote_panel.py" line="257"/>
        <source>Stopped early: the majority can&apos;t change.</source>
        <translation>提前停止：多数结果已不会改变。</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/vote_panel.py" line="259"/>
        <source>Stopped before every answer was in.</source>
        <translation>在所有答案得出前已停止。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/ui/chat/vote_panel.py" line="264"/>
        <source>About %n s</source>
        <translation>
            <numerusform>约 %n 秒</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/ui/chat/vote_panel.py" line="265"/>
        <source>About %n min</source>
        <translation>
            <numerusform>约 %n 分钟</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/vote_panel.py" line="279"/>
        <source>%1 of %2 agree</source>
        <translation>%2 个中有 %1 个一致</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/vote_panel.py" line="283"/>
        <source>None of the %1 answers has a final result</source>
        <translation>%1 个答案都没有最终结果</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/vote_panel.py" line="284"/>
        <source>No majority among %1 answers</source>
        <translation>%1 个答案中没有多数</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/vote_panel.py" line="315"/>
        <source>Reasoning</source>
        <translation>推理过程</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/vote_panel.py" line="316"/>
        <source>Show the reasoning of answer %1</source>
        <translation>显示答案 %1 的推理过程</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/vote_panel.py" line="335"/>
        <source>Answer 1 (the one above)</source>
        <translation>答案 1（上面这个）</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/vote_panel.py" line="336"/>
        <source>Answer %1</source>
        <translation>答案 %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/vote_panel.py" line="338"/>
        <location filename="../../app/ui/chat/vote_panel.py" line="348"/>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/vote_panel.py" line="343"/>
        <source>%1: not needed</source>
        <translation>%1：不需要</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/vote_panel.py" line="343"/>
        <source>%1: stopped</source>
        <translation>%1：已停止</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/vote_panel.py" line="344"/>
        <source>%1: %2 tokens…</source>
        <translation>%1：%2 个词元…</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/vote_panel.py" line="345"/>
        <source>%1: waiting…</source>
        <translation>%1：等待中…</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat/vote_panel.py" line="349"/>
        <source>%1: %2 (%3 tokens)</source>
        <translation>%1：%2（%3 个词元）</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <location filename="../../app/ui/main.py" line="64"/>
        <source>Ponder</source>
        <translation>Ponder</translation>
    </message>
    <message>
        <location filename="../../app/ui/main.py" line="65"/>
        <source>Something went wrong. Your chats are saved; the details are in the log file (%1). If it happens again, restart Ponder.</source>
        <translation>出错了。你的对话已保存；详细信息见日志文件（%1）。如果再次发生，请重启 Ponder。</translation>
    </message>
</context>
</TS>
