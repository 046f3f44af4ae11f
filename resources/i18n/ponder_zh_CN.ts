<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ChatController</name>
    <message>
        <location filename="../../app/ui/controller.py" line="158"/>
        <source>Loading the model…</source>
        <translation>正在加载模型…</translation>
    </message>
    <message>
        <location filename="../../app/ui/controller.py" line="197"/>
        <source>New chat</source>
        <translation>新对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/controller.py" line="427"/>
        <source>Edit message</source>
        <translation>编辑消息</translation>
    </message>
    <message>
        <location filename="../../app/ui/controller.py" line="428"/>
        <source>Your message:</source>
        <translation>你的消息：</translation>
    </message>
    <message>
        <location filename="../../app/ui/controller.py" line="468"/>
        <source>The file could not be written (%1). Choose another folder.</source>
        <translation>无法写入文件（%1）。请选择其他文件夹。</translation>
    </message>
    <message>
        <location filename="../../app/ui/controller.py" line="496"/>
        <source>Ponder</source>
        <translation>Ponder</translation>
    </message>
</context>
<context>
    <name>ChatView</name>
    <message>
        <location filename="../../app/ui/chat_view.py" line="131"/>
        <location filename="../../app/ui/chat_view.py" line="132"/>
        <source>Show earlier messages</source>
        <translation>显示更早的消息</translation>
    </message>
    <message>
        <location filename="../../app/ui/chat_view.py" line="133"/>
        <source>Conversation</source>
        <translation>对话内容</translation>
    </message>
</context>
<context>
    <name>CodeBlock</name>
    <message>
        <location filename="../../app/ui/markdown_view.py" line="146"/>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <location filename="../../app/ui/markdown_view.py" line="147"/>
        <source>Copy code</source>
        <translation>复制代码</translation>
    </message>
    <message>
        <location filename="../../app/ui/markdown_view.py" line="148"/>
        <source>Code block</source>
        <translation>代码块</translation>
    </message>
    <message>
        <location filename="../../app/ui/markdown_view.py" line="153"/>
        <source>code</source>
        <translation>代码</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <location filename="../../app/ui/composer.py" line="88"/>
        <source>Ask anything — Enter sends, Shift+Enter adds a line, Esc stops</source>
        <translation>随便问 — 回车发送，Shift+回车换行，Esc 停止</translation>
    </message>
    <message>
        <location filename="../../app/ui/composer.py" line="89"/>
        <source>Message input</source>
        <translation>消息输入框</translation>
    </message>
    <message>
        <location filename="../../app/ui/composer.py" line="90"/>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <location filename="../../app/ui/composer.py" line="91"/>
        <source>Send message</source>
        <translation>发送消息</translation>
    </message>
    <message>
        <location filename="../../app/ui/composer.py" line="92"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../app/ui/composer.py" line="93"/>
        <source>Stop the answer</source>
        <translation>停止回答</translation>
    </message>
</context>
<context>
    <name>EmptyState</name>
    <message>
        <location filename="../../app/ui/main_window.py" line="64"/>
        <source>No model yet</source>
        <translation>还没有模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="66"/>
        <source>Ponder runs a reasoning model on this computer, offline. Import a GGUF file you already have, or download DeepSeek-R1-Distill-Qwen-1.5B (about 1.1 GB).</source>
        <translation>Ponder 在这台电脑上离线运行推理模型。导入你已有的 GGUF 文件，或下载 DeepSeek-R1-Distill-Qwen-1.5B（约 1.1 GB）。</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="68"/>
        <source>Import a GGUF file…</source>
        <translation>导入 GGUF 文件…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="69"/>
        <source>Import a GGUF file</source>
        <translation>导入 GGUF 文件</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="70"/>
        <source>Download…</source>
        <translation>下载…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="71"/>
        <source>Download a model</source>
        <translation>下载模型</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../app/ui/main_window.py" line="188"/>
        <source>Ponder</source>
        <translation>Ponder</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="189"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="190"/>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="191"/>
        <source>New chat</source>
        <translation>新对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="192"/>
        <source>Open GGUF file…</source>
        <translation>打开 GGUF 文件…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="193"/>
        <source>Import chat (JSON)…</source>
        <translation>导入对话（JSON）…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="194"/>
        <source>Export chat as Markdown…</source>
        <translation>将对话导出为 Markdown…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="195"/>
        <source>Export chat as JSON…</source>
        <translation>将对话导出为 JSON…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="196"/>
        <source>Settings…</source>
        <translation>设置…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="197"/>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="198"/>
        <source>Copy last answer</source>
        <translation>复制最后的回答</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="199"/>
        <source>Search chats</source>
        <translation>搜索对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="200"/>
        <source>Chats</source>
        <translation>对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="201"/>
        <source>Chat area</source>
        <translation>聊天区域</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="213"/>
        <source>Open a GGUF model</source>
        <translation>打开 GGUF 模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="214"/>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF 模型 (*.gguf);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="219"/>
        <source>Import a chat</source>
        <translation>导入对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="220"/>
        <source>Ponder chats (*.json)</source>
        <translation>Ponder 对话 (*.json)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="225"/>
        <source>Export as Markdown</source>
        <translation>导出为 Markdown</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="226"/>
        <source>Markdown (*.md)</source>
        <translation>Markdown (*.md)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="231"/>
        <source>Export as JSON</source>
        <translation>导出为 JSON</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="232"/>
        <source>JSON (*.json)</source>
        <translation>JSON (*.json)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="198"/>
        <source>Models…</source>
        <translation>模型…</translation>
    </message>
</context>
<context>
    <name>MessageWidget</name>
    <message>
        <location filename="../../app/ui/message_widget.py" line="246"/>
        <source>Assistant</source>
        <translation>助手</translation>
    </message>
    <message>
        <location filename="../../app/ui/message_widget.py" line="246"/>
        <source>You</source>
        <translation>你</translation>
    </message>
    <message>
        <location filename="../../app/ui/message_widget.py" line="247"/>
        <source>Assistant message</source>
        <translation>助手消息</translation>
    </message>
    <message>
        <location filename="../../app/ui/message_widget.py" line="248"/>
        <source>Your message</source>
        <translation>你的消息</translation>
    </message>
    <message>
        <location filename="../../app/ui/message_widget.py" line="249"/>
        <source>Message text</source>
        <translation>消息正文</translation>
    </message>
    <message>
        <location filename="../../app/ui/message_widget.py" line="251"/>
        <source>Answer</source>
        <translation>答案</translation>
    </message>
    <message>
        <location filename="../../app/ui/message_widget.py" line="256"/>
        <source>Final answer</source>
        <translation>最终答案</translation>
    </message>
    <message>
        <location filename="../../app/ui/message_widget.py" line="257"/>
        <source>Answer now</source>
        <translation>立即回答</translation>
    </message>
    <message>
        <location filename="../../app/ui/message_widget.py" line="258"/>
        <source>Stop thinking and answer now</source>
        <translation>停止思考并立即回答</translation>
    </message>
    <message>
        <location filename="../../app/ui/message_widget.py" line="260"/>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <location filename="../../app/ui/message_widget.py" line="260"/>
        <source>Copy this message</source>
        <translation>复制这条消息</translation>
    </message>
    <message>
        <location filename="../../app/ui/message_widget.py" line="261"/>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <location filename="../../app/ui/message_widget.py" line="261"/>
        <source>Edit and resend this message</source>
        <translation>编辑并重新发送这条消息</translation>
    </message>
    <message>
        <location filename="../../app/ui/message_widget.py" line="262"/>
        <source>Regenerate</source>
        <translation>重新生成</translation>
    </message>
    <message>
        <location filename="../../app/ui/message_widget.py" line="262"/>
        <source>Write a new answer</source>
        <translation>写一个新回答</translation>
    </message>
    <message>
        <location filename="../../app/ui/message_widget.py" line="263"/>
        <source>Continue</source>
        <translation>继续</translation>
    </message>
    <message>
        <location filename="../../app/ui/message_widget.py" line="263"/>
        <source>Continue this answer</source>
        <translation>继续这个回答</translation>
    </message>
    <message>
        <location filename="../../app/ui/message_widget.py" line="264"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../app/ui/message_widget.py" line="264"/>
        <source>Delete this message</source>
        <translation>删除这条消息</translation>
    </message>
    <message>
        <location filename="../../app/ui/message_widget.py" line="265"/>
        <source>Previous version</source>
        <translation>上一个版本</translation>
    </message>
    <message>
        <location filename="../../app/ui/message_widget.py" line="266"/>
        <source>Next version</source>
        <translation>下一个版本</translation>
    </message>
    <message>
        <location filename="../../app/ui/message_widget.py" line="272"/>
        <source>Version</source>
        <translation>版本</translation>
    </message>
</context>
<context>
    <name>ReasoningBlock</name>
    <message>
        <location filename="../../app/ui/message_widget.py" line="106"/>
        <source>Thinking…</source>
        <translation>思考中…</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/ui/message_widget.py" line="108"/>
        <source>Thought for %n s</source>
        <translation>
            <numerusform>思考了 %n 秒</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../app/ui/message_widget.py" line="110"/>
        <source>Reasoning</source>
        <translation>推理过程</translation>
    </message>
    <message>
        <location filename="../../app/ui/message_widget.py" line="112"/>
        <source>Show or hide the reasoning</source>
        <translation>显示或隐藏推理过程</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="126"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="127"/>
        <source>Math tutor</source>
        <translation>数学辅导</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="127"/>
        <source>Code helper</source>
        <translation>编程助手</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="128"/>
        <source>Chat</source>
        <translation>聊天</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="131"/>
        <source>System language</source>
        <translation>系统语言</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="132"/>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="132"/>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="133"/>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="136"/>
        <source>Ask for step-by-step reasoning and a boxed answer</source>
        <translation>要求逐步推理并给出框出的答案</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="137"/>
        <source>Save for this chat only</source>
        <translation>仅保存到此对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="139"/>
        <source>Preset</source>
        <translation>预设</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="140"/>
        <source>Temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="141"/>
        <source>Top-p</source>
        <translation>Top-p</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="142"/>
        <source>Top-k</source>
        <translation>Top-k</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="143"/>
        <source>Min-p</source>
        <translation>Min-p</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="144"/>
        <source>Repeat penalty</source>
        <translation>重复惩罚</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="145"/>
        <source>Max tokens</source>
        <translation>最大词元数</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="146"/>
        <source>Thinking budget (0: none)</source>
        <translation>思考预算（0：不限）</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="147"/>
        <source>Math instruction</source>
        <translation>数学提示</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="148"/>
        <source>Context length (next load)</source>
        <translation>上下文长度（下次加载生效）</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="149"/>
        <source>Threads (0: automatic)</source>
        <translation>线程数（0：自动）</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="150"/>
        <source>GPU layers (-1: all)</source>
        <translation>GPU 层数（-1：全部）</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="151"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_dialog.py" line="152"/>
        <source>Theme</source>
        <translation>主题</translation>
    </message>
</context>
<context>
    <name>Sidebar</name>
    <message>
        <location filename="../../app/ui/sidebar.py" line="129"/>
        <source>Deleted “%1”</source>
        <translation>已删除“%1”</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar.py" line="140"/>
        <location filename="../../app/ui/sidebar.py" line="141"/>
        <source>New chat</source>
        <translation>新对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar.py" line="142"/>
        <location filename="../../app/ui/sidebar.py" line="143"/>
        <source>Search chats</source>
        <translation>搜索对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar.py" line="144"/>
        <source>Conversations</source>
        <translation>对话列表</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar.py" line="145"/>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar.py" line="146"/>
        <source>Undo delete</source>
        <translation>撤销删除</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar.py" line="155"/>
        <source>Rename chat</source>
        <translation>重命名对话</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar.py" line="155"/>
        <source>Title:</source>
        <translation>标题：</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar.py" line="172"/>
        <source>Rename…</source>
        <translation>重命名…</translation>
    </message>
    <message>
        <location filename="../../app/ui/sidebar.py" line="173"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
</context>
<context>
    <name>StatusBar</name>
    <message>
        <location filename="../../app/ui/status_bar.py" line="46"/>
        <source>No model loaded</source>
        <translation>未加载模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_bar.py" line="53"/>
        <source>Context %1 / %2</source>
        <translation>上下文 %1 / %2</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_bar.py" line="56"/>
        <source>%1 tok/s</source>
        <translation>%1 词元/秒</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_bar.py" line="61"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_bar.py" line="62"/>
        <source>Backend</source>
        <translation>后端</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_bar.py" line="63"/>
        <source>Speed</source>
        <translation>速度</translation>
    </message>
    <message>
        <location filename="../../app/ui/status_bar.py" line="64"/>
        <source>Context used</source>
        <translation>已用上下文</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <location filename="../../app/ui/main.py" line="59"/>
        <source>Ponder</source>
        <translation>Ponder</translation>
    </message>
    <message>
        <location filename="../../app/ui/main.py" line="60"/>
        <source>Something went wrong. Your chats are saved; the details are in the log file (%1). If it happens again, restart Ponder.</source>
        <translation>出错了。你的对话已保存；详细信息见日志文件（%1）。如果再次发生，请重启 Ponder。</translation>
    </message>
</context>
<context>
    <name>GetModelPage</name>
    <message>
        <source>No data from the server for %1 s. Ponder keeps waiting and retries by itself; you can also pause and resume later.</source>
        <translation>服务器已 %1 秒没有发送数据。Ponder 会继续等待并自动重试；你也可以先暂停，稍后继续。</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="300"/>
        <source>Get the model</source>
        <translation>获取模型</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="301"/>
        <source>Download the recommended file, or import a GGUF file you already have. Everything after this works offline.</source>
        <translation>下载推荐的文件，或导入你已有的 GGUF 文件。之后的一切都可离线使用。</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="303"/>
        <source>File:</source>
        <translation>文件：</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="304"/>
        <source>Quantization to download</source>
        <translation>要下载的量化版本</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="305"/>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="306"/>
        <source>Pause the download</source>
        <translation>暂停下载</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="307"/>
        <source>Cancel download</source>
        <translation>取消下载</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="308"/>
        <source>Cancel the download and delete it</source>
        <translation>取消下载并删除已下载部分</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="309"/>
        <source>Download progress</source>
        <translation>下载进度</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="310"/>
        <source>Already have a GGUF file (for example from another computer)? Import it; nothing is downloaded.</source>
        <translation>已经有 GGUF 文件（例如来自另一台电脑）？导入即可，无需下载。</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="312"/>
        <source>Import a GGUF file…</source>
        <translation>导入 GGUF 文件…</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="313"/>
        <source>Import a GGUF file</source>
        <translation>导入 GGUF 文件</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="324"/>
        <source>%1 %2 (%3)</source>
        <translation>%1 %2（%3）</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="327"/>
        <source>recommended</source>
        <translation>推荐</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="362"/>
        <source>Installed</source>
        <translation>已安装</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="364"/>
        <source>Resume download</source>
        <translation>继续下载</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="366"/>
        <source>Download</source>
        <translation>下载</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="373"/>
        <source>This file is already installed.</source>
        <translation>此文件已经安装。</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="384"/>
        <source>%1 of %2 were downloaded earlier; the download resumes from there.</source>
        <translation>之前已下载 %1（共 %2），将从那里继续下载。</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="433"/>
        <source>Importing: %1 of %2</source>
        <translation>正在导入：%1 / %2</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="450"/>
        <source>%1 of %2 · %3/s · %4</source>
        <translation>%1 / %2 · %3/秒 · %4</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="457"/>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="458"/>
        <source>Checking the part downloaded earlier…</source>
        <translation>正在检查之前下载的部分…</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="459"/>
        <source>Verifying the SHA-256…</source>
        <translation>正在校验 SHA-256…</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="467"/>
        <source>%1 was imported.</source>
        <translation>已导入 %1。</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="471"/>
        <source>Downloaded and verified.</source>
        <translation>已下载并校验。</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="474"/>
        <source>Paused. Press Resume download to go on, now or after restarting Ponder.</source>
        <translation>已暂停。按“继续下载”即可继续，现在或重启 Ponder 之后都可以。</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="478"/>
        <source>Download cancelled; the partial file was deleted.</source>
        <translation>下载已取消，部分文件已删除。</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="504"/>
        <source>Import a GGUF model</source>
        <translation>导入 GGUF 模型</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="505"/>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF 模型 (*.gguf);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="514"/>
        <source>Importing %1…</source>
        <translation>正在导入 %1…</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="119"/>
        <source>time left unknown</source>
        <translation>剩余时间未知</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="122"/>
        <source>%1 h %2 min left</source>
        <translation>剩余 %1 小时 %2 分钟</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="124"/>
        <source>%1 min %2 s left</source>
        <translation>剩余 %1 分 %2 秒</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="125"/>
        <source>%1 s left</source>
        <translation>剩余 %1 秒</translation>
    </message>
</context>
<context>
    <name>HardwarePage</name>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="166"/>
        <source>Your computer</source>
        <translation>你的电脑</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="167"/>
        <source>Ponder checks what this computer can run well.</source>
        <translation>Ponder 检查这台电脑适合运行什么。</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="169"/>
        <source>Checking this computer…</source>
        <translation>正在检查这台电脑…</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="170"/>
        <source>Hardware found</source>
        <translation>检测到的硬件</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="171"/>
        <source>Recommendation</source>
        <translation>推荐</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="172"/>
        <source>Warnings</source>
        <translation>警告</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="200"/>
        <source>&lt;b&gt;Recommended:&lt;/b&gt; %1, %2 (%3).&lt;br&gt;%4</source>
        <translation>&lt;b&gt;推荐：&lt;/b&gt;%1，%2（%3）。&lt;br&gt;%4</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="216"/>
        <source>Processor: %1 (%2 cores; %3)</source>
        <translation>处理器：%1（%2 核；%3）</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="218"/>
        <source>Memory: %1 GB, %2 GB free</source>
        <translation>内存：%1 GB，可用 %2 GB</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="223"/>
        <source>Graphics: %1 with %2 GB</source>
        <translation>显卡：%1，%2 GB</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="226"/>
        <source>Graphics: none that llama.cpp can use</source>
        <translation>显卡：没有 llama.cpp 可用的显卡</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="228"/>
        <source>Free disk space: %1 at %2</source>
        <translation>可用磁盘空间：%1（%2）</translation>
    </message>
</context>
<context>
    <name>ModelSetup</name>
    <message>
        <location filename="../work/main/app/ui/model_setup.py" line="121"/>
        <source>The GPU could not load the model (%1); using the CPU instead, which is slower.</source>
        <translation>GPU 无法加载模型（%1），改用 CPU，速度较慢。</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/model_setup.py" line="124"/>
        <source>The GPU could not load the model with all layers (%1); trying %2 layers.</source>
        <translation>GPU 无法加载全部层（%1），正在尝试 %2 层。</translation>
    </message>
</context>
<context>
    <name>ModelsPage</name>
    <message>
        <location filename="../work/main/app/ui/models_page.py" line="119"/>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/models_page.py" line="121"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/models_page.py" line="121"/>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/models_page.py" line="121"/>
        <source>Quantization</source>
        <translation>量化</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/models_page.py" line="122"/>
        <source>Architecture</source>
        <translation>架构</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/models_page.py" line="122"/>
        <source>Context</source>
        <translation>上下文</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/models_page.py" line="122"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/models_page.py" line="123"/>
        <source>Installed models</source>
        <translation>已安装的模型</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/models_page.py" line="124"/>
        <source>Models folder: %1</source>
        <translation>模型文件夹：%1</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/models_page.py" line="125"/>
        <source>Use now</source>
        <translation>立即使用</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/models_page.py" line="126"/>
        <source>Load the selected model now</source>
        <translation>立即加载所选模型</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/models_page.py" line="127"/>
        <source>Set as default</source>
        <translation>设为默认</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/models_page.py" line="128"/>
        <source>Load the selected model at start</source>
        <translation>启动时加载所选模型</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/models_page.py" line="129"/>
        <source>Delete…</source>
        <translation>删除…</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/models_page.py" line="130"/>
        <source>Delete the selected model</source>
        <translation>删除所选模型</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/models_page.py" line="131"/>
        <source>Open folder</source>
        <translation>打开文件夹</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/models_page.py" line="132"/>
        <source>Open the models folder</source>
        <translation>打开模型文件夹</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/models_page.py" line="133"/>
        <source>Download or import…</source>
        <translation>下载或导入…</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/models_page.py" line="134"/>
        <source>Open the model setup assistant</source>
        <translation>打开模型设置向导</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/models_page.py" line="169"/>
        <source>Incomplete download: %1 (%2 of %3). Open Download or import… to resume it.</source>
        <translation>未完成的下载：%1（%2 / %3）。打开“下载或导入…”以继续。</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/models_page.py" line="175"/>
        <source>No models are installed yet. Download one or import a GGUF file.</source>
        <translation>尚未安装模型。请下载一个或导入 GGUF 文件。</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/models_page.py" line="182"/>
        <source>damaged</source>
        <translation>已损坏</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/models_page.py" line="184"/>
        <source>in use</source>
        <translation>使用中</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/models_page.py" line="186"/>
        <source>default</source>
        <translation>默认</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/models_page.py" line="240"/>
        <source>Delete %1 (%2)? The file is removed from the models folder; you would need to download or import it again.</source>
        <translation>删除 %1（%2）？文件将从模型文件夹中移除，之后需要重新下载或导入。</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/models_page.py" line="243"/>
        <source>Delete model</source>
        <translation>删除模型</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/models_page.py" line="258"/>
        <source>The folder could not be opened. It is here: %1</source>
        <translation>无法打开文件夹。它位于：%1</translation>
    </message>
</context>
<context>
    <name>SetupWizard</name>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="710"/>
        <source>Set up a model</source>
        <translation>设置模型</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="711"/>
        <source>Skip for now</source>
        <translation>暂时跳过</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="713"/>
        <source>Skip the setup</source>
        <translation>跳过设置</translation>
    </message>
</context>
<context>
    <name>TrialPage</name>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="570"/>
        <source>A first answer</source>
        <translation>第一个回答</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="571"/>
        <source>The model answers a test question on this computer, then Ponder measures how fast it writes.</source>
        <translation>模型在这台电脑上回答一个测试问题，然后 Ponder 测量它的输出速度。</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="573"/>
        <source>Question: %1</source>
        <translation>问题：%1</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="574"/>
        <source>The model's answer</source>
        <translation>模型的回答</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="575"/>
        <source>Measured speed</source>
        <translation>实测速度</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="619"/>
        <source>The GPU could not load the model (%1). Ponder uses the CPU instead, which is slower.</source>
        <translation>GPU 无法加载模型（%1）。Ponder 改用 CPU，速度较慢。</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="622"/>
        <source>The GPU could not load the model with %1 layers (%2). Ponder tries again with %3 layers.</source>
        <translation>GPU 无法以 %1 层加载模型（%2）。Ponder 改用 %3 层重试。</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="624"/>
        <source>all</source>
        <translation>全部</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="636"/>
        <source>Loading the model…</source>
        <translation>正在加载模型…</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="638"/>
        <source>The model is answering…</source>
        <translation>模型正在回答…</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="641"/>
        <source>Measuring the speed (%1 s)…</source>
        <translation>正在测量速度（%1 秒）…</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="648"/>
        <source>%1 works on this computer (%2).</source>
        <translation>%1 可以在这台电脑上运行（%2）。</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="651"/>
        <source>The speed was not measured.</source>
        <translation>未测量速度。</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="653"/>
        <source>Measured speed: %1 tokens per second.</source>
        <translation>实测速度：每秒 %1 个 token。</translation>
    </message>
    <message>
        <location filename="../work/main/app/ui/wizard.py" line="658"/>
        <source>(Estimated before: %1.)</source>
        <translation>（之前估计：%1。）</translation>
    </message>
</context>
</TS>
